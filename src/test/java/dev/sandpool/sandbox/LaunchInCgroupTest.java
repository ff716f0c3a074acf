package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.TestingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole launch, bwrap's outer process included, runs in the session's cgroup (it joins while
 * bwrap still sets up, or, on cgroup v1, before it starts): it is counted against the session's
 * limits in every hierarchy, and ends with the session.
 */
class LaunchInCgroupTest {
    @Test
    void bwrapsOuterProcessIsInTheSessionsGroupAndEndsWithIt() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            Sandbox sandbox = sandboxes.runtime.start(TestingRuntime.SLEEPER);
            long init = sandbox.handle().initPid();
            long outer = parentOf(init);
            try {
                assertThat(Files.readString(Path.of("/proc", Long.toString(outer), "comm")).strip()).isEqualTo("bwrap");
                assertThat(sandboxes.cgroups.open(sandbox.id()).processes()).contains(init, outer);
                for (long pid : List.of(init, outer)) {
                    assertThat(limitingGroups(pid)).isNotEmpty().allMatch(line -> line.endsWith("/" + sandbox.id()));
                }
            } finally {
                sandbox.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessHandle.of(outer).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    /** The process's memory, pids and cpu groups on cgroup v1; its one group on v2. */
    private static List<String> limitingGroups(long pid) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        List<String> v1 = lines.stream().filter(line -> line.matches("\\d+:(memory|pids|cpu):.*")).toList();
        return v1.isEmpty() ? lines.stream().filter(line -> line.startsWith("0::")).toList() : v1;
    }

    private static long parentOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }
}
