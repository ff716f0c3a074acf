package dev.sandpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.sandbox.CgroupDriver;
import dev.sandpool.server.SandpoolServer;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.HostMounts;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's sandbox, cgroups, directories and disk volume go away when it ends (delete, cooldown, server stop),
 * checked on the host, without the test fixture's own clean-up.
 */
class SessionCleanupTest {
    @Test
    void endedSessionsLeaveNothingBehind() throws Exception {
        Path dataDir = TestingRuntime.newDataDir();
        var sandbox = TestingRuntime.sandboxConfig();
        CgroupDriver cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"), sandbox.cgroupParent());
        SandpoolConfig config = new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir),
                new AuthConfig(AuthMode.NONE), sandbox, ExecutionConfig.defaults(), null,
                List.of(TestingServer.pool("clean", 4, 1, 2)));
        try {
            SandpoolServer server = SandpoolServer.start(config);
            AzureClient client = new AzureClient(server.baseUrl(), null);
            SessionPool pool = server.pools().pool("clean").orElseThrow();
            client.execute("clean", "deleted-1", "open('/mnt/data/a', 'w').write('a')");
            client.execute("clean", "expires-1", "1");
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.readyCount() == 1);
            assertThat(sandboxes(dataDir)).isEqualTo(3);
            assertThat(cgroups.existing()).hasSize(3);
            // each one's /mnt/data volume, which a ready sandbox holds in its own mount namespace only:
            // the host's mount table does not grow with live sessions
            assertThat(HostMounts.mountsBelow(dataDir)).isZero();
            assertThat(HostMounts.loopDevicesBackedBelow(dataDir)).isEqualTo(3);

            client.deleteSession("clean", "deleted-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> sandboxes(dataDir) == 2 && cgroups.existing().size() == 2
                    && HostMounts.loopDevicesBackedBelow(dataDir) == 2);

            // expires-1 idles past its 2 s cooldown
            await().atMost(Duration.ofSeconds(30)).until(() -> sandboxes(dataDir) == 1 && cgroups.existing().size() == 1
                    && HostMounts.loopDevicesBackedBelow(dataDir) == 1);
            assertThat(pool.allocatedCount()).isZero();

            server.close();
            assertThat(sandboxes(dataDir)).isZero();
            assertThat(cgroups.existing()).isEmpty();
            assertThat(HostMounts.mountsBelow(dataDir)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> HostMounts.loopDevicesBackedBelow(dataDir) == 0);
            int base = sandbox.uidBase();
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().user().map(u -> {
                try {
                    int uid = Integer.parseInt(u);
                    return uid >= base && uid < base + sandbox.uidCount();
                } catch (NumberFormatException e) {
                    return false;
                }
            }).orElse(false)).count()).isZero();
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    private static long sandboxes(Path dataDir) {
        try (var dirs = Files.list(dataDir.resolve("sessions"))) {
            return dirs.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
