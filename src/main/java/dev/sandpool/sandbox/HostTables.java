package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel tables that every process on the host shares, sized by the kernel's defaults for a machine
 * running a few services, not thousands of sessions: once one is full, every other session fails
 * at once, however well its own limits hold. The server raises them when it starts, as systemd
 * does at every boot, so that what stops a session is always a limit of its own:
 * <ul>
 *   <li>fs.file-max, open files: each is kernel memory charged to the opener's memory cgroup, so a
 *       session's memory limit bounds them (about four million under the default 1Gi), while the
 *       kernel's default table holds a tenth of RAM in KiB (2.4 million on a 24 GiB machine). Full,
 *       every open() of a process without CAP_SYS_ADMIN fails with ENFILE (FileTableTest).</li>
 *   <li>kernel.pid_max, processes and threads: each session may have {@code sandbox.pidsLimit}
 *       (256 by default), and a default of 32768 is 128 sessions' worth. Full, every fork and
 *       thread start on the host fails with EAGAIN, the server's own included (PidTableTest).</li>
 *   <li>kernel.pty.max, pseudo-terminals: every sandbox's /dev/pts is a devpts instance of its own,
 *       and all of them share what the host's own instance does not reserve, 3072 of the default
 *       4096; each is kernel memory charged to its session. Full, opening a terminal fails with
 *       ENOSPC in every other session (TerminalTableTest).</li>
 * </ul>
 */
final class HostTables {
    private static final Logger LOG = LoggerFactory.getLogger(HostTables.class);
    private static final Path FILE_MAX = Path.of("/proc/sys/fs/file-max");
    private static final Path PID_MAX = Path.of("/proc/sys/kernel/pid_max");
    private static final Path PTY_MAX = Path.of("/proc/sys/kernel/pty/max");
    /** The kernel's ceiling for kernel.pty.max (NR_UNIX98_PTY_MAX). */
    static final long PTY_MAX_LIMIT = 1L << 20;
    /** The kernel's ceiling for pid_max on 64-bit machines (PID_MAX_LIMIT), systemd's value too. */
    static final long PID_MAX_LIMIT = 4L << 20;

    private HostTables() {}

    /** Raises both tables where they are smaller, or says in the log why it could not. */
    static void raise() {
        raise(FILE_MAX, Long.MAX_VALUE, "files one session holds open could leave other sessions none");
        raise(PID_MAX, PID_MAX_LIMIT, "processes and threads of a few sessions could leave other sessions and the server none");
        raise(PTY_MAX, PTY_MAX_LIMIT, "terminals one session opens could leave other sessions none");
    }

    private static void raise(Path sysctl, long wanted, String risk) {
        String name = sysctl.toString().substring("/proc/sys/".length()).replace('/', '.');
        try {
            long current = readNumber(sysctl);
            if (current < wanted) {
                Files.writeString(sysctl, Long.toString(wanted));
                LOG.info("raised {} from {} to {}: sessions' own limits, not this table shared by the whole host, "
                        + "bound what they may take of it", name, current, wanted);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot raise {} ({}): {}", name, e.toString(), risk);
        }
    }

    /** A sysctl answers only a read from offset 0: Files.readString, reading one byte first, got "9" for 2466193. */
    private static long readNumber(Path sysctl) throws IOException {
        try (var in = Files.newInputStream(sysctl)) {
            return Long.parseLong(new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip());
        }
    }
}
