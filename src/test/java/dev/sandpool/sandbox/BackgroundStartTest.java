package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.TestingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A sandbox started in the background (a pool's ready refill) runs in an idle cgroup, on CPU time
 * nothing else wants, until the pool brings it to the foreground; any other start runs at normal
 * priority from the first instruction.
 */
class BackgroundStartTest {
    @Test
    void aBackgroundStartIsIdleUntilBroughtToTheForeground() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            Sandbox background = ScopedValue.where(SandboxRuntime.BACKGROUND_START, true)
                    .call(() -> sandboxes.runtime.start(TestingRuntime.SLEEPER));
            Sandbox normal = sandboxes.runtime.start(TestingRuntime.SLEEPER);
            try {
                assertThat(cpuIdle(sandboxes, background)).isEqualTo("1");
                assertThat(cpuIdle(sandboxes, normal)).isEqualTo("0");
                background.foreground();
                assertThat(cpuIdle(sandboxes, background)).isEqualTo("0");
            } finally {
                background.close();
                normal.close();
            }
        }
    }

    /** The group's cpu.idle, in the cgroup v1 cpu hierarchy or the unified one, whichever this host has. */
    private static String cpuIdle(TestingRuntime sandboxes, Sandbox sandbox) throws Exception {
        Path root = Path.of("/sys/fs/cgroup");
        Path v1 = root.resolve("cpu").resolve(sandboxes.config.cgroupParent()).resolve(sandbox.id()).resolve("cpu.idle");
        Path file = Files.exists(v1) ? v1 : root.resolve(sandboxes.config.cgroupParent()).resolve(sandbox.id()).resolve("cpu.idle");
        return Files.readString(file).strip();
    }
}
