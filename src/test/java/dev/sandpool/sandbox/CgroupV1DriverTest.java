package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The v1 driver against this machine's real cgroup v1 hierarchies. */
class CgroupV1DriverTest {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private final String parent = "sandpool-v1test-" + ProcessHandle.current().pid();
    private final CgroupDriver driver = new CgroupV1Driver(ROOT, parent);

    @AfterEach
    void cleanUp() {
        driver.existing().forEach(name -> driver.open(name).remove());
        driver.removeParent();
    }

    @Test
    void detectsV1OnThisMachine() {
        assertThat(CgroupDriver.detect(ROOT, parent)).isInstanceOf(CgroupV1Driver.class);
    }

    @Test
    void limitsAreWrittenToTheKernel() throws Exception {
        driver.create("sb-a", new ResourceLimits(DataSize.parse("128Mi"), 0.25, 50));
        assertThat(Files.readString(ROOT.resolve("memory/" + parent + "/sb-a/memory.limit_in_bytes")).strip())
                .isEqualTo(Long.toString(128L << 20));
        assertThat(Files.readString(ROOT.resolve("memory/" + parent + "/sb-a/memory.kmem.tcp.limit_in_bytes")).strip())
                .isEqualTo(Long.toString(64L << 20));
        assertThat(Files.readString(ROOT.resolve("pids/" + parent + "/sb-a/pids.max")).strip()).isEqualTo("50");
        assertThat(Files.readString(ROOT.resolve("cpu/" + parent + "/sb-a/cpu.cfs_quota_us")).strip()).isEqualTo("25000");
    }

    @Test
    void anIdleGroupIsSchedIdleUntilItIsNotAnyMore() throws Exception {
        Cgroup group = driver.create("sb-c", new ResourceLimits(DataSize.parse("64Mi"), 1, 16));
        Path idle = ROOT.resolve("cpu/" + parent + "/sb-c/cpu.idle");
        assertThat(Files.readString(idle).strip()).isEqualTo("0");
        group.idle(true);
        assertThat(Files.readString(idle).strip()).isEqualTo("1");
        group.idle(false);
        assertThat(Files.readString(idle).strip()).isEqualTo("0");
    }

    @Test
    void processesJoinAndAreKilledWithTheGroup() throws Exception {
        Cgroup group = driver.create("sb-b", new ResourceLimits(DataSize.parse("64Mi"), 1, 16));
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        group.addProcess(sleeper.pid());
        assertThat(group.processes()).containsExactly(sleeper.pid());
        assertThat(group.pidsLimitHits()).isZero();
        assertThat(group.oomKills()).isZero();
        group.remove();
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(driver.existing()).doesNotContain("sb-b");
        assertThat(Files.exists(ROOT.resolve("memory/" + parent + "/sb-b"))).isFalse();
    }
}
