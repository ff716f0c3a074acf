package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cgroup v2 cannot be used for real on these machines (their unified hierarchy has no memory, pids
 * or cpu controller), so this drives the v2 driver against a FAKE cgroupfs: a plain directory tree
 * with the files the kernel would have. It proves what the driver writes and reads, not the kernel.
 */
class CgroupV2DriverTest {
    @TempDir
    Path fakeCgroupfs;

    @Test
    void detectsV2WhenTheUnifiedHierarchyHasTheMemoryController() throws Exception {
        Files.writeString(fakeCgroupfs.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma\n");
        assertThat(CgroupDriver.detect(fakeCgroupfs, "sandpool")).isInstanceOf(CgroupV2Driver.class);
    }

    @Test
    void writesLimitsAndDelegatesControllers() throws Exception {
        CgroupDriver driver = new CgroupV2Driver(fakeCgroupfs, "sandpool");
        driver.create("sb-1", new ResourceLimits(DataSize.parse("512Mi"), 0.5, 128));
        Path group = fakeCgroupfs.resolve("sandpool/sb-1");
        assertThat(Files.readString(group.resolve("memory.max"))).isEqualTo("536870912");
        assertThat(Files.readString(group.resolve("memory.swap.max"))).isEqualTo("0");
        assertThat(Files.readString(group.resolve("pids.max"))).isEqualTo("128");
        assertThat(Files.readString(group.resolve("cpu.max"))).isEqualTo("50000 100000");
        assertThat(Files.readString(fakeCgroupfs.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
        assertThat(Files.readString(fakeCgroupfs.resolve("sandpool/cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
        assertThat(driver.existing()).containsExactly("sb-1");
    }

    @Test
    void idleIsWrittenWhereTheKernelHasCpuIdleAndSkippedWhereNot() throws Exception {
        CgroupDriver driver = new CgroupV2Driver(fakeCgroupfs, "sandpool");
        Cgroup old = driver.create("sb-old", new ResourceLimits(DataSize.parse("64Mi"), 1, 32));
        old.idle(true); // a kernel before 5.15: no cpu.idle file, no error
        assertThat(fakeCgroupfs.resolve("sandpool/sb-old/cpu.idle")).doesNotExist();
        Cgroup recent = driver.create("sb-new", new ResourceLimits(DataSize.parse("64Mi"), 1, 32));
        Files.writeString(fakeCgroupfs.resolve("sandpool/sb-new/cpu.idle"), "0");
        recent.idle(true);
        assertThat(Files.readString(fakeCgroupfs.resolve("sandpool/sb-new/cpu.idle"))).isEqualTo("1");
        recent.idle(false);
        assertThat(Files.readString(fakeCgroupfs.resolve("sandpool/sb-new/cpu.idle"))).isEqualTo("0");
    }

    @Test
    void readsOomKillsAndMembersAndAddsProcesses() throws Exception {
        CgroupDriver driver = new CgroupV2Driver(fakeCgroupfs, "sandpool");
        Cgroup group = driver.create("sb-2", new ResourceLimits(DataSize.parse("64Mi"), 1, 32));
        Path dir = fakeCgroupfs.resolve("sandpool/sb-2");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        assertThat(group.oomKills()).isEqualTo(1);
        Files.writeString(dir.resolve("pids.events"), "max 3\n");
        assertThat(group.pidsLimitHits()).isEqualTo(3);
        // read again through the file it keeps open
        Files.writeString(dir.resolve("pids.events"), "max 12\n");
        assertThat(group.pidsLimitHits()).isEqualTo(12);
        group.addProcess(4242);
        assertThat(Files.readString(dir.resolve("cgroup.procs"))).isEqualTo("4242");
        Files.writeString(dir.resolve("cgroup.procs"), "");
        assertThat(group.processes()).isEmpty();
    }
}
