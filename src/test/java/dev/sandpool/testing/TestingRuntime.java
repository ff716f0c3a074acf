package dev.sandpool.testing;

import dev.sandpool.config.SandboxConfig;
import dev.sandpool.sandbox.IsolatingRuntime;
import dev.sandpool.sandbox.CgroupDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real bubblewrap runtime for tests, with a data directory, cgroup parent and uid range of its
 * own, so that it never touches a running server's sandboxes. {@link #close()} removes everything
 * it made, also after a failed test.
 */
public final class TestingRuntime implements AutoCloseable {
    public final Path dataDir;
    public final SandboxConfig config;
    public final CgroupDriver cgroups;
    public final IsolatingRuntime runtime;
    /** A sandbox that only sleeps (64 MiB, half a core, 16 tasks): for tests of the sandbox itself. */
    public static final dev.sandpool.sandbox.SandboxSpec SLEEPER = new dev.sandpool.sandbox.SandboxSpec(
            java.util.List.of("/bin/sleep", "300"), java.util.Map.of(),
            new dev.sandpool.sandbox.ResourceLimits(dev.sandpool.config.DataSize.parse("64Mi"), 0.5, 16), java.util.Map.of());

    public TestingRuntime() throws IOException {
        this(newDataDir(), sandboxConfig());
    }

    /** Sandboxes that may each write {@code diskQuotaBytes} to disk. */
    public TestingRuntime(long diskQuotaBytes) throws IOException {
        this(newDataDir(), sandboxConfig(), diskQuotaBytes);
    }

    /** The runtime of a server that ran elsewhere (another process) on this data directory and config. */
    public TestingRuntime(Path dataDir, SandboxConfig config) throws IOException {
        this(dataDir, config, dev.sandpool.config.FilesConfig.DEFAULT_QUOTA.bytes());
    }

    private TestingRuntime(Path dataDir, SandboxConfig config, long diskQuotaBytes) throws IOException {
        this.dataDir = dataDir;
        this.config = config;
        this.cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"), config.cgroupParent());
        this.runtime = new IsolatingRuntime(dataDir, config, cgroups, diskQuotaBytes);
    }

    /** A fresh cgroup parent and uid range; uids are spread so that two test runs rarely meet. */
    public static SandboxConfig sandboxConfig() {
        int slot = ThreadLocalRandom.current().nextInt(1, 500);
        return new SandboxConfig(300_000 + slot * 1000, 1000, "sandpool-test-" + slot + "-" + ProcessHandle.current().pid(),
                null, null);
    }

    public static Path newDataDir() throws IOException {
        Path dir = Files.createTempDirectory("sandpool-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }

    @Override
    public void close() {
        runtime.cleanupLeftovers();
        runtime.close();
        removeCgroupsAndData(config.cgroupParent(), dataDir);
    }

    /** Whatever a test server left: every group under its cgroup parent, the parent, its data directory. */
    public static void removeCgroupsAndData(String cgroupParent, Path dataDir) {
        CgroupDriver cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"), cgroupParent);
        cgroups.existing().forEach(name -> cgroups.open(name).remove());
        cgroups.removeParent();
        dev.sandpool.sandbox.Mounts.unmountBelow(dataDir);
        dev.sandpool.sandbox.Trees.deleteRecursively(dataDir);
    }
}
