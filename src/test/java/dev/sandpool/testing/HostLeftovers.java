package dev.sandpool.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.SandboxConfig;
import dev.sandpool.sandbox.CgroupDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What a server's sandboxes leave on the host, read from /proc and the cgroup and data
 * directories as an operator would: processes in its uid range, cgroups under its parent,
 * session directories and mounts below its data directory.
 */
public final class HostLeftovers {
    private HostLeftovers() {}

    /** Pids of live processes whose real uid {@code uids} matches. */
    public static List<Long> processes(IntPredicate uids) {
        List<Long> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            int uid = realUid(p.pid());
            if (uid >= 0 && uids.test(uid)) {
                found.add(p.pid());
            }
        });
        return found;
    }

    public static List<Long> sandboxProcesses(SandboxConfig sandbox) {
        return processes(uid -> uid >= sandbox.uidBase() && uid < sandbox.uidBase() + sandbox.uidCount());
    }

    /** The real uid from /proc/PID/status; -1 for a process that is gone or a zombie. */
    public static int realUid(long pid) {
        try {
            int uid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("State:") && line.contains("Z")) {
                    return -1;
                }
                if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
                }
            }
            return uid;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static List<String> cgroups(SandboxConfig sandbox) {
        return CgroupDriver.detect(Path.of("/sys/fs/cgroup"), sandbox.cgroupParent()).existing();
    }

    public static List<String> sessionDirectories(Path dataDir) {
        Path sessions = dataDir.resolve("sessions");
        if (!Files.isDirectory(sessions)) {
            return List.of();
        }
        try (var dirs = Files.list(sessions)) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Mount points below {@code dir} (not {@code dir} itself), from /proc/self/mountinfo. */
    public static List<String> mountsBelow(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4]).filter(point -> point.startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Nothing of any sandbox is left: no process, cgroup, session directory or mount. */
    public static void assertNone(SandboxConfig sandbox, Path dataDir) {
        assertThat(sandboxProcesses(sandbox)).as("processes in the sandbox uid range").isEmpty();
        assertThat(cgroups(sandbox)).as("cgroups under " + sandbox.cgroupParent()).isEmpty();
        assertThat(sessionDirectories(dataDir)).as("session directories").isEmpty();
        assertThat(mountsBelow(dataDir)).as("mounts below the data directory").isEmpty();
    }
}
