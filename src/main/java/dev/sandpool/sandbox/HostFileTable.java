package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's table of open files (fs.file-max) is shared by every process on the machine: once it
 * is full, every open() of a process without CAP_SYS_ADMIN fails with ENFILE, in every session.
 * Each open file is kernel memory charged to the opener's memory cgroup, so a session's memory
 * limit already bounds how many it can hold: about four million under the default 1Gi, more than
 * the kernel's default table on a machine with less than about 40 GiB of RAM. The server raises
 * the table to its largest size when it starts, as systemd does at every boot since v240, so that
 * what stops a session is its own memory limit and never the table it shares (FileTableTest).
 */
final class HostFileTable {
    private static final Logger LOG = LoggerFactory.getLogger(HostFileTable.class);
    private static final Path FILE_MAX = Path.of("/proc/sys/fs/file-max");
    /** Most a sandbox's process may raise its own limit to (Docker's default); less if the server has less. */
    private static final long SANDBOX_HARD_LIMIT = 524_288;
    /** The usual soft limit, which programs that use select() rely on. */
    static final long SANDBOX_SOFT_LIMIT = 1024;

    private HostFileTable() {}

    /** Raises fs.file-max to its largest value, or says in the log why it could not. */
    static void openToMemoryLimits() {
        try {
            long current = readNumber(FILE_MAX);
            if (current < Long.MAX_VALUE) {
                Files.writeString(FILE_MAX, Long.toString(Long.MAX_VALUE));
                LOG.info("raised fs.file-max from {} to {}: each session's memory limit, not the host's file table, "
                        + "bounds the files it may hold open", current, Long.MAX_VALUE);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot raise fs.file-max ({}): one session holding many files open could leave others none", e.toString());
        }
    }

    /**
     * The hard RLIMIT_NOFILE a sandbox starts with: Docker's default, or the server's own hard limit
     * where that is lower (raising it needs CAP_SYS_RESOURCE, which some hosts withhold even from root).
     */
    static long sandboxHardLimit() {
        try (var limits = Files.lines(Path.of("/proc/self/limits"))) {
            String line = limits.filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
            String hard = line.substring("Max open files".length()).strip().split("\\s+")[1];
            return hard.equals("unlimited") ? SANDBOX_HARD_LIMIT : Math.min(SANDBOX_HARD_LIMIT, Long.parseLong(hard));
        } catch (IOException | RuntimeException e) {
            return SANDBOX_SOFT_LIMIT;
        }
    }

    /** A sysctl answers only a read from offset 0: Files.readString, reading one byte first, got "9" for 2466193. */
    private static long readNumber(Path sysctl) throws IOException {
        try (var in = Files.newInputStream(sysctl)) {
            return Long.parseLong(new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
    }
}
