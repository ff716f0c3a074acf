package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.testing.HostMounts;
import dev.sandpool.testing.TestingRuntime;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server that dies without closing anything leaves sandboxes running (by design, they are not
 * tied to it). The next start removes every leftover: processes, cgroups, disk volumes and directories.
 */
class CrashCleanupTest {
    @Test
    void leftoversOfACrashedServerAreCleanedAtTheNextStart() throws Exception {
        try (TestingRuntime crashed = new TestingRuntime()) {
            SandboxSpec sleeper = new SandboxSpec(List.of("/bin/sleep", "1000"), Map.of(),
                    new ResourceLimits(DataSize.parse("64Mi"), 0.5, 32), Map.of());
            Sandbox first = crashed.runtime.start(sleeper);
            Sandbox second = crashed.runtime.start(sleeper);
            Sandbox hardened = crashed.runtime.start(sleeper.withIsolation(dev.sandpool.config.Isolation.GVISOR));
            // the "crash": nothing is closed; the sandboxes outlive the runtime object
            int base = crashed.config.uidBase();
            int count = crashed.config.uidCount();
            assertThat(ProcScan.processesOwnedBy(uid -> uid >= base && uid < base + count)).isNotEmpty();
            assertThat(crashed.cgroups.existing()).containsExactlyInAnyOrder(first.id(), second.id(), hardened.id());
            // gVisor's gofer and sentry run as root: they are found by the sandbox id in their command lines
            assertThat(SandboxPids.naming(hardened.id())).isNotEmpty();
            assertThat(HostMounts.mountsBelow(crashed.dataDir)).isEqualTo(3);

            IsolatingRuntime restarted = new IsolatingRuntime(crashed.dataDir, crashed.config, crashed.cgroups);
            restarted.cleanupLeftovers();

            assertThat(ProcScan.processesOwnedBy(uid -> uid >= base && uid < base + count)).isEmpty();
            assertThat(crashed.cgroups.existing()).isEmpty();
            assertThat(SandboxPids.naming(hardened.id())).isEmpty();
            assertThat(HostMounts.mountsBelow(crashed.dataDir)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> HostMounts.loopDevicesBackedBelow(crashed.dataDir) == 0);
            for (String sessions : List.of("sessions", "gvisor-sessions")) {
                try (var dirs = Files.list(crashed.dataDir.resolve(sessions))) {
                    assertThat(dirs.toList()).isEmpty();
                }
            }
            restarted.close();
        }
    }
}
