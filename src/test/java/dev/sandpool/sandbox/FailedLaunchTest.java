package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launches that die before their sandbox reports its pid fail cleanly, and leave nothing blocked:
 * the reader of each launch's info FIFO used to stay in a native read for good, pinning a
 * carrier thread, and a few such launches stalled every virtual thread of the server.
 */
class FailedLaunchTest {
    @TempDir
    Path dir;

    @Test
    void manyFailedLaunchesLeaveVirtualThreadsRunning() throws Exception {
        Path seccomp = Files.writeString(dir.resolve("seccomp.bpf"), "");
        int launches = 2 * Runtime.getRuntime().availableProcessors() + 2;
        CgroupDriver cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"), "sandpool-failtest-" + ProcessHandle.current().pid());
        try {
            for (int i = 0; i < launches; i++) {
                Path ctl = Files.createDirectory(dir.resolve("ctl-" + i));
                Cgroup cgroup = cgroups.create("sb-fail-" + i, new ResourceLimits(DataSize.parse("64Mi"), 1, 16));
                SandboxLaunch launch = new SandboxLaunch(ctl, seccomp, List.of("/bin/sh", "-c", "echo no sandbox here; exit 3"));
                assertThatThrownBy(() -> launch.start(cgroup, () -> {}, pid -> {}))
                        .isInstanceOf(IOException.class).hasMessageContaining("no sandbox here");
            }
        } finally {
            cgroups.existing().forEach(name -> cgroups.open(name).remove());
            cgroups.removeParent();
        }
        // the virtual threads of a server still get carriers
        int tasks = 100;
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            Thread.startVirtualThread(() -> {
                try {
                    Thread.sleep(1);
                    done.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> done.getCount() == 0);
        // and no reader is left behind
        await().atMost(Duration.ofSeconds(60)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("fifo-reader-"))
                .noneMatch(t -> t.getState() == Thread.State.RUNNABLE));
        assertThat(done.getCount()).isZero();
    }
}
