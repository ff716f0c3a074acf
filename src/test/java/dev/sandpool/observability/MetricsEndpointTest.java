package dev.sandpool.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} on a real server with real sandboxes. */
class MetricsEndpointTest {

    private static Scrape scrape(TestingServer server) {
        // no token: scrapers must not need the API key
        AzureClient.Response response = server.client.send("GET", "/metrics", null, null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        return new Scrape(response.body());
    }

    @Test
    void gaugesHistogramsAndCountersFollowThePool() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("obs", 4, 1, 300),
                TestingServer.pool("full", 1, 0, 300), TestingServer.pool("cool", 2, 0, 1))) {
            AzureClient client = server.client;
            SessionPool obs = server.server.pools().pool("obs").orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> obs.readyCount() == 1);

            Scrape before = scrape(server);
            assertThat(before.value("sandpool_sessions_max", "pool", "obs")).contains(4.0);
            assertThat(before.value("sandpool_sessions_allocated", "pool", "obs")).contains(0.0);
            assertThat(before.value("sandpool_oom_kills_total", "pool", "obs")).contains(0.0);
            assertThat(before.value("sandpool_sandbox_starts_total", "pool", "obs")).contains(1.0);

            assertThat(client.execute("obs", "first-ident", "1+1").status()).isEqualTo(200);
            assertThat(client.execute("obs", "second-ident", "2").status()).isEqualTo(200);
            assertThat(client.execute("obs", "first-ident", "3").status()).isEqualTo(200);
            assertThat(client.execute("obs", "first-ident", "1/0").properties().path("status").asString())
                    .isEqualTo("Failure");
            await().atMost(Duration.ofSeconds(60)).until(() -> obs.readyCount() == 1);

            Scrape after = scrape(server);
            assertThat(after.value("sandpool_sessions_allocated", "pool", "obs")).contains(2.0);
            assertThat(after.value("sandpool_sessions_ready", "pool", "obs")).contains(1.0);
            assertThat(after.value("sandpool_sessions_max", "pool", "obs")).contains(4.0);
            assertThat(after.value("sandpool_sessions_ready_target", "pool", "obs")).contains(1.0);
            assertThat(after.value("sandpool_execution_seconds_count", "pool", "obs", "outcome", "success")).contains(3.0);
            assertThat(after.value("sandpool_execution_seconds_count", "pool", "obs", "outcome", "failure")).contains(1.0);
            assertThat(after.value("sandpool_execution_seconds_bucket", "pool", "obs", "outcome", "success", "le", "+Inf"))
                    .contains(3.0);
            // the first identifier took the ready session; the second took a refilled one or started its own
            assertThat(after.valueOrZero("sandpool_allocation_seconds_count", "pool", "obs", "source", "ready")
                    + after.valueOrZero("sandpool_allocation_seconds_count", "pool", "obs", "source", "started"))
                    .isEqualTo(2.0);
            assertThat(after.value("sandpool_allocation_seconds_count", "pool", "obs", "source", "ready")).isPresent();
            assertThat(after.value("sandpool_sandbox_starts_total", "pool", "obs").orElseThrow()).isGreaterThanOrEqualTo(3.0);
            assertThat(after.value("sandpool_sandbox_start_seconds_count", "pool", "obs").orElseThrow())
                    .isEqualTo(after.value("sandpool_sandbox_starts_total", "pool", "obs").orElseThrow());
            assertThat(after.value("sandpool_execution_wait_seconds_count", "pool", "obs")).contains(4.0);

            assertThat(client.deleteSession("obs", "second-ident").status()).isEqualTo(204);
            assertThat(client.execute("full", "takes-the-only", "1").status()).isEqualTo(200);
            assertThat(client.execute("full", "finds-it-full", "1").status()).isEqualTo(404);
            assertThat(client.execute("cool", "expires-soon", "1").status()).isEqualTo(200);
            SessionPool cool = server.server.pools().pool("cool").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> cool.allocatedCount() == 0);
            // the ended-session metric is reported once the sandbox is gone, a moment after it left the pool
            Scrape last = await().atMost(Duration.ofSeconds(30)).until(() -> scrape(server),
                    s -> s.value("sandpool_sessions_ended_total", "pool", "cool", "reason", "expired").isPresent());
            assertThat(last.value("sandpool_sessions_ended_total", "pool", "obs", "reason", "deleted")).contains(1.0);
            assertThat(last.value("sandpool_sessions_allocated", "pool", "obs")).contains(1.0);
            assertThat(last.value("sandpool_pool_full_total", "pool", "full")).contains(1.0);
            assertThat(last.value("sandpool_pool_full_total", "pool", "obs")).contains(0.0);
            // a cooldown expiry is an ended session with reason "expired"
            assertThat(last.value("sandpool_sessions_ended_total", "pool", "cool", "reason", "expired")).contains(1.0);
            // "started": no ready session in that pool, so the sandbox was started for the identifier.
            // The histogram is observed during the request, but a scrape may show it only on a later
            // collection (client_java buffers observations that meet a collection), so wait for it.
            Scrape allocated = await().atMost(Duration.ofSeconds(10)).until(() -> scrape(server),
                    s -> s.value("sandpool_allocation_seconds_count", "pool", "cool", "source", "started").isPresent());
            assertThat(allocated.value("sandpool_allocation_seconds_count", "pool", "cool", "source", "started")).contains(1.0);
            assertThat(allocated.value("sandpool_allocation_seconds_sum", "pool", "cool", "source", "started").orElseThrow())
                    .isGreaterThan(0.0);
        }
    }

    @Test
    void anExecutionOverTheMemoryLimitCountsAnOomKill() throws Exception {
        PoolConfig oom = new PoolConfig("oom", null, 4, 1, 300, null, 1.0, DataSize.parse("128Mi"), List.of());
        try (TestingServer server = TestingServer.start(oom)) {
            var result = server.client.execute("oom", "memory-hog", "hog = bytearray(1024 * 1024 * 1024)");
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.properties().path("status").asString()).isEqualTo("Failure");

            Scrape scrape = scrape(server);
            assertThat(scrape.value("sandpool_oom_kills_total", "pool", "oom")).contains(1.0);
            assertThat(scrape.value("sandpool_sessions_lost_total", "pool", "oom", "reason", "memory_limit")).contains(1.0);
            assertThat(scrape.value("sandpool_execution_seconds_count", "pool", "oom", "outcome", "lost")).contains(1.0);
            // the session survives the loss and gets a new sandbox on its next call
            assertThat(server.client.execute("oom", "memory-hog", "6*7").properties().path("result").asInt()).isEqualTo(42);
        }
    }

    @Test
    void aPoolCreatedThroughTheManagementApiIsMeasured() throws Exception {
        String pool = """
                {"location": "local", "properties": {
                  "containerType": "PythonLTS", "poolManagementType": "Dynamic",
                  "scaleConfiguration": {"maxConcurrentSessions": 3, "readySessionInstances": 1},
                  "dynamicPoolConfiguration": {"lifecycleConfiguration": {"lifecycleType": "Timed", "cooldownPeriodInSeconds": 600}},
                  "sessionNetworkConfiguration": {"status": "EgressDisabled"},
                  "sandpoolConfiguration": {"cpu": 0.5, "memory": "256Mi"}}}""";
        try (TestingServer server = TestingServer.start(TestingServer.pool("from-file", 2, 0, 300))) {
            // the ARM spelling, as Azure's management clients send it
            assertThat(server.client.send("PUT",
                    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/sessionPools/made-later", pool).status())
                    .isEqualTo(201);
            SessionPool made = server.server.pools().pool("made-later").orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> made.readyCount() == 1);
            assertThat(server.client.execute("made-later", "api-made-user", "6 * 7").status()).isEqualTo(200);

            Scrape scrape = scrape(server);
            assertThat(scrape.value("sandpool_sessions_max", "pool", "made-later")).contains(3.0);
            assertThat(scrape.value("sandpool_sessions_allocated", "pool", "made-later")).contains(1.0);
            assertThat(scrape.value("sandpool_execution_seconds_count", "pool", "made-later", "outcome", "success")).contains(1.0);
            assertThat(scrape.value("sandpool_sandbox_starts_total", "pool", "made-later").orElseThrow()).isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void jvmMetricsAreServedAndEachServerHasItsOwnPools() throws Exception {
        try (TestingServer one = TestingServer.start(TestingServer.pool("one", 2, 0, 300));
             TestingServer two = TestingServer.start(TestingServer.pool("two", 3, 0, 300))) {
            Scrape first = scrape(one);
            assertThat(first.hasMetricStartingWith("jvm_memory_used_bytes")).isTrue();
            assertThat(first.hasMetricStartingWith("jvm_threads_current")).isTrue();
            assertThat(first.hasMetricStartingWith("jvm_gc_collection_seconds")).isTrue();
            assertThat(first.value("sandpool_sessions_max", "pool", "one")).contains(2.0);
            assertThat(first.value("sandpool_sessions_max", "pool", "two")).isEmpty();
            assertThat(scrape(two).value("sandpool_sessions_max", "pool", "two")).contains(3.0);
            assertThat(first.text).contains("# TYPE sandpool_sessions_max gauge");
        }
    }
}
