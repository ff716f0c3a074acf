package dev.sandpool.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.pool.SessionPool;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.HostLeftovers;
import dev.sandpool.testing.MetricSample;
import dev.sandpool.testing.TestingServer;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load on loopback, bounded in count and time: 200 clients at once on a real server, each with its
 * own identifier, each running 50 executions whose answers depend on its own interpreter state and
 * a file round trip (see {@link LoadClient}). Sessions idle past an 8 s cooldown expire while the
 * run goes on; 20 more clients arrive only once the first session has expired, and take sandboxes
 * the pool refilled. Zero failed requests, zero lost or wrong files; afterwards, once the pool is
 * deleted through the management API, no sandbox process, cgroup, session uid, mount or session
 * directory is left. Throughput and latency percentiles are printed for information only.
 */
class LoadTest {
    private static final String POOL = "load";
    private static final int CONCURRENT = 200;
    private static final int LATE = 20;
    private static final int EXECUTIONS = 50;
    private static final int COOLDOWN_SECONDS = 8;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void twoHundredConcurrentSessionsLoseNothingAndLeaveNothing() throws Exception {
        try (TestingServer server = TestingServer.start()) {
            AzureClient client = server.client;
            var created = client.send("PUT", "/management/pools/" + POOL, """
                    {"location": "local", "properties": {
                      "containerType": "PythonLTS", "poolManagementType": "Dynamic",
                      "scaleConfiguration": {"maxConcurrentSessions": %d, "readySessionInstances": %d},
                      "dynamicPoolConfiguration": {"lifecycleConfiguration": {"lifecycleType": "Timed", "cooldownPeriodInSeconds": %d}},
                      "sessionNetworkConfiguration": {"status": "EgressDisabled"},
                      "sandpoolConfiguration": {"cpu": 0.5, "memory": "256Mi"}}}""".formatted(CONCURRENT + LATE, CONCURRENT,
                    COOLDOWN_SECONDS));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            SessionPool pool = server.server.pools().pool(POOL).orElseThrow();
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> pool.readyCount() == CONCURRENT);
            double startsBefore = metric(client, "sandpool_sandbox_starts_total", "");

            Latencies latencies = new Latencies();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger lostFiles = new AtomicInteger();
            AtomicInteger peakAllocated = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch firstExpiry = new CountDownLatch(1);
            long started = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                clients.submit(() -> watch(client, pool, running, peakAllocated, firstExpiry));
                var all = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (int i = 0; i < CONCURRENT; i++) {
                    all.add(clients.submit(new LoadClient(client, POOL, i, EXECUTIONS, latencies, failures, lostFiles)));
                }
                for (int i = CONCURRENT; i < CONCURRENT + LATE; i++) {
                    LoadClient late = new LoadClient(client, POOL, i, EXECUTIONS, latencies, failures, lostFiles);
                    all.add(clients.submit(() -> {
                        if (!firstExpiry.await(5, TimeUnit.MINUTES)) {
                            failures.add("no session expired within 5 minutes; the late client did not run");
                            return null;
                        }
                        late.run();
                        return null;
                    }));
                }
                for (var each : all) {
                    each.get(8, TimeUnit.MINUTES);
                }
                running.set(false);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double expired = metric(client, "sandpool_sessions_ended_total", ",reason=\"expired\"");
            double starts = metric(client, "sandpool_sandbox_starts_total", "") - startsBefore;
            System.out.printf("LoadTest: %d clients (%d at once), %d requests in %.1f s: %.0f requests/s; "
                            + "peak %d sessions allocated, %.0f expired, %.0f sandboxes started during the run%n%s",
                    CONCURRENT + LATE, CONCURRENT, latencies.count(), seconds, latencies.count() / seconds,
                    peakAllocated.get(), expired, starts, latencies.summary());

            assertThat(failures).as("failed requests").isEmpty();
            assertThat(lostFiles.get()).as("lost or wrong files").isZero();
            assertThat(latencies.count()).isEqualTo((long) (CONCURRENT + LATE) * (EXECUTIONS + 2));
            assertThat(peakAllocated.get()).as("sessions allocated at once").isGreaterThanOrEqualTo(CONCURRENT);
            assertThat(expired).as("sessions expired during the run").isPositive();
            assertThat(starts).as("sandboxes the pool refilled during the run").isPositive();

            assertThat(client.send("DELETE", "/management/pools/" + POOL, null).status()).isEqualTo(204);
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                    HostLeftovers.assertNone(server.server.config().sandbox(), server.dataDir()));
        }
    }

    /** Tracks the most sessions allocated at once, and opens the late clients' gate at the first expiry. */
    private static Void watch(AzureClient client, SessionPool pool, AtomicBoolean running, AtomicInteger peak,
                              CountDownLatch firstExpiry) throws InterruptedException {
        long nextScrape = 0;
        while (running.get()) {
            peak.accumulateAndGet(pool.allocatedCount(), Math::max);
            if (firstExpiry.getCount() > 0 && System.nanoTime() > nextScrape) {
                if (metric(client, "sandpool_sessions_ended_total", ",reason=\"expired\"") > 0) {
                    firstExpiry.countDown();
                }
                nextScrape = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            }
            Thread.sleep(50);
        }
        return null;
    }

    private static double metric(AzureClient client, String name, String moreLabels) {
        return MetricSample.value(client, name, "pool=\"" + POOL + "\"" + moreLabels);
    }
}
