package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.testing.TestingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole launch, bwrap's outer process included, runs in the session's cgroup (it joins while
 * bwrap still sets up): it is counted against the session's limits, and ends with the session.
 */
class LaunchInCgroupTest {
    private static final SandboxSpec SLEEPER = new SandboxSpec(List.of("/bin/sleep", "300"), Map.of(),
            new ResourceLimits(DataSize.parse("64Mi"), 0.5, 16), Map.of());

    @Test
    void bwrapsOuterProcessIsInTheSessionsGroupAndEndsWithIt() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            Sandbox sandbox = sandboxes.runtime.start(SLEEPER);
            long init = sandbox.handle().initPid();
            long outer = parentOf(init);
            try {
                assertThat(Files.readString(Path.of("/proc", Long.toString(outer), "comm")).strip()).isEqualTo("bwrap");
                assertThat(sandboxes.cgroups.open(sandbox.id()).processes()).contains(init, outer);
            } finally {
                sandbox.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessHandle.of(outer).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    private static long parentOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }
}
