package dev.sandpool.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.FileCalls;
import dev.sandpool.testing.HostLeftovers;
import dev.sandpool.testing.MetricSample;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real cgroup write refused by the kernel: the test caps the server's cgroup parent at half a
 * CPU (cgroup v1 refuses a child's CPU quota above its parent's with EINVAL), so every sandbox of
 * a one-CPU pool fails to start while a quarter-CPU pool under the same parent starts fine. The
 * one-CPU pool answers 503 SessionStartFailed naming the refused setting, releases the session it
 * could not start, leaves no sandbox, cgroup, directory or process behind, retries its ready
 * sandbox at a bounded pace instead of spinning, and works again once the cap is lifted.
 */
class CgroupFaultTest {
    private static final Path CPU_HIERARCHY = Path.of("/sys/fs/cgroup/cpu");

    @Test
    void aPoolWhoseCgroupsTheKernelRefusesFailsCleanlyAndAlone() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(CPU_HIERARCHY.resolve("cpu.cfs_quota_us")),
                "needs the cgroup v1 cpu hierarchy, which enforces a parent's CPU quota on its children's settings");
        SandboxConfig sandbox = TestingRuntime.sandboxConfig();
        Path parent = Files.createDirectories(CPU_HIERARCHY.resolve(sandbox.cgroupParent()));
        Path dataDir = TestingRuntime.newDataDir();
        try {
            Files.writeString(parent.resolve("cpu.cfs_quota_us"), "50000"); // half a CPU per 100 ms period
            try (TestingServer server = TestingServer.start(dataDir, sandbox, pool("fits", 0.25), pool("greedy", 1.0))) {
                AzureClient client = server.client;
                SessionPool greedy = server.server.pools().pool("greedy").orElseThrow();
                assertThat(client.execute("fits", "bystander", "kept = 1").status()).isEqualTo(200);
                assertThat(FileCalls.upload(client, "fits", "bystander", "kept.txt", "kept".getBytes()).status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(60)).until(() -> greedy.startFailure().isPresent());

                for (String identifier : List.of("greedy-1", "greedy-2", "greedy-3")) {
                    var refused = client.execute("greedy", identifier, "1 + 1");
                    Faults.assertError(refused, 503, "SessionStartFailed", "could not start a session in pool 'greedy'");
                    assertThat(refused.json().path("error").path("message").asString())
                            .contains("refused cpu.cfs_quota_us = 100000: Invalid argument");
                }
                assertThat(greedy.allocatedCount()).isZero();
                assertThat(greedy.readyCount()).isZero();

                // only the quarter-CPU pool's sandboxes exist: its session and its ready one
                SessionPool fits = server.server.pools().pool("fits").orElseThrow();
                await().atMost(Duration.ofSeconds(60)).until(() -> fits.readyCount() == 1);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(HostLeftovers.sessionDirectories(dataDir)).hasSize(2);
                    assertThat(HostLeftovers.cgroups(sandbox)).hasSize(2);
                });
                assertThat(client.execute("fits", "newcomer", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
                assertThat(client.execute("fits", "bystander", "kept + 1").properties().path("result").asInt()).isEqualTo(2);
                assertThat(FileCalls.download(client, "fits", "bystander", "kept.txt").body()).isEqualTo("kept".getBytes());

                // the refill keeps trying, at a pace: a spinning pool would fail thousands of times a second
                long since = System.nanoTime();
                double before = failures(client);
                await().atMost(Duration.ofSeconds(60)).until(() -> failures(client) >= before + 2);
                double seconds = (System.nanoTime() - since) / 1e9;
                assertThat(failures(client) - before).isLessThanOrEqualTo(2 + seconds);

                Files.writeString(parent.resolve("cpu.cfs_quota_us"), "-1");
                assertThat(client.execute("greedy", "greedy-1", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
                await().atMost(Duration.ofSeconds(60)).until(() -> greedy.startFailure().isEmpty() && greedy.readyCount() == 1);
            }
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    private static PoolConfig pool(String name, double cpus) {
        return new PoolConfig(name, null, 5, 1, 300, null, cpus, DataSize.parse("256Mi"), List.of());
    }

    private static double failures(AzureClient client) {
        return MetricSample.value(client, "sandpool_sandbox_start_failures_total", "pool=\"greedy\"");
    }
}
