package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one bwrap command line and holds the sandbox's first process until it is in its cgroup.
 *
 * <p>ProcessBuilder cannot hand extra file descriptors to a child, so a shell opens them and execs:
 * fd 3 is the seccomp program, fd 4 and 5 are FIFOs for bwrap's {@code --info-fd} (which reports
 * the sandbox's init pid) and {@code --block-fd} (which holds it until we write a byte). This side
 * opens both FIFOs read-write before the shell starts, so no open() ever blocks, whatever happens
 * to the child. Where the host allows it (cgroup v1), the shell first moves itself into the
 * sandbox's cgroup, so that bwrap and everything it starts are born there: a move made by another
 * process waits for an RCU grace period (see {@link Cgroup#selfJoinFiles}). Then it waits for a
 * line on the block FIFO, while the slot's volume is mounted.
 */
final class SandboxLaunch {
    private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d+)");
    private static final long START_TIMEOUT_SECONDS = 30;
    /** The usual soft open-file limit, which programs that use select() rely on. */
    static final long NOFILE_SOFT = 1024;
    /** Most a sandbox's process may raise its open-file limit to (Docker's default); less if the server has less. */
    private static final long NOFILE_HARD = Math.min(524_288, serverHardNoFile());
    /**
     * Arguments: how many tasks files to join through, those files, then the command. The sandbox's
     * open-file limits are its own, not whatever the server was started with: what bounds its open files
     * is its memory limit ({@link HostTables}).
     */
    private static final String SHELL = "ulimit -S -n " + NOFILE_SOFT
            + " && ulimit -H -n \"$SANDPOOL_NOFILE\" || exit 1; n=$1; shift; while [ \"$n\" -gt 0 ]; do echo 0 >\"$1\" || exit 1; "
            + "n=$((n - 1)); shift; done; exec 5<\"$SANDPOOL_BLOCK\"; read go <&5 || exit 1; "
            + "exec \"$@\" 3<\"$SANDPOOL_SECCOMP\" 4>\"$SANDPOOL_INFO\"";

    record Started(Process process, long initPid) {}

    private final Path ctl;
    private final Path seccomp;
    private final List<String> command;

    SandboxLaunch(Path ctl, Path seccomp, List<String> command) {
        this.ctl = ctl;
        this.seccomp = seccomp;
        this.command = command;
    }

    /** What must be in place before bwrap sets the sandbox up (the volume it binds, say). */
    @FunctionalInterface
    interface Prepare {
        void run() throws IOException;
    }

    /** What must be in place before the sandbox's first process may run (its network, say). */
    @FunctionalInterface
    interface BeforeRelease {
        void prepare(long initPid) throws IOException;
    }

    Started start(Cgroup cgroup, Prepare prepare, BeforeRelease beforeRelease) throws IOException {
        Path info = ctl.resolve("info.fifo");
        Path block = ctl.resolve("block.fifo");
        LibC.mkfifo(info, 0600);
        LibC.mkfifo(block, 0600);
        try (FileChannel infoChannel = FileChannel.open(info, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel blockChannel = FileChannel.open(block, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<Path> selfJoin = cgroup.selfJoinFiles();
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SHELL, "sandpool-launch",
                    Integer.toString(selfJoin.size())));
            selfJoin.forEach(file -> argv.add(file.toString()));
            argv.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(ctl.resolve("console.log").toFile()))
                    .redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            builder.environment().put("SANDPOOL_SECCOMP", seccomp.toString());
            builder.environment().put("SANDPOOL_INFO", info.toString());
            builder.environment().put("SANDPOOL_BLOCK", block.toString());
            builder.environment().put("SANDPOOL_NOFILE", Long.toString(NOFILE_HARD));
            Process process = builder.start();
            Thread joining = selfJoin.isEmpty() ? Thread.startVirtualThread(() -> joinEarly(cgroup, process)) : null;
            try {
                prepare.run();
                blockChannel.write(ByteBuffer.wrap(new byte[] {'g', '\n'}));
                long initPid = readInitPid(infoChannel, process);
                if (joining != null) {
                    joining.join();
                    cgroup.addProcess(initPid);
                }
                beforeRelease.prepare(initPid);
                blockChannel.write(ByteBuffer.wrap(new byte[] {'g'}));
                return new Started(process, initPid);
            } catch (IOException | RuntimeException e) {
                process.destroyForcibly();
                throw e;
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while starting a sandbox");
            }
        } finally {
            Files.deleteIfExists(info);
            Files.deleteIfExists(block);
        }
    }

    /**
     * Where the launcher cannot join by itself (cgroup v2): puts it (the shell, soon bwrap) in the
     * group while the volume is mounted and bwrap sets up the sandbox, so that the move's grace
     * period runs alongside the rest of the start instead of after it, and the move of the
     * sandbox's init that follows is quick. bwrap may already have forked that init, so it is moved
     * anyway. A launcher that is gone already fails later, with its console.
     */
    private static void joinEarly(Cgroup cgroup, Process process) {
        try {
            cgroup.addProcess(process.pid());
        } catch (IOException e) {
            // the launch failed: readInitPid says how
        }
    }

    /** bwrap writes a small JSON object; a launch that dies first closes the channel and fails here. */
    private long readInitPid(FileChannel channel, Process process) throws IOException {
        CompletableFuture<Long> pid = FifoReads.supply(() -> {
            try {
                StringBuilder text = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(512);
                while (true) {
                    buffer.clear();
                    if (channel.read(buffer) < 0) {
                        throw new IOException("sandbox launch closed its info channel");
                    }
                    text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
                    Matcher m = CHILD_PID.matcher(text);
                    if (m.find() && text.indexOf("}") >= 0) {
                        return Long.parseLong(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        process.onExit().thenRun(() -> {
            if (!pid.isDone()) {
                closeQuietly(channel);
            }
        });
        try {
            return pid.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("sandbox failed to start: " + consoleTail(), e.getCause());
        } catch (TimeoutException e) {
            closeQuietly(channel);
            throw new IOException("sandbox did not start within " + START_TIMEOUT_SECONDS + " s: " + consoleTail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a sandbox", e);
        }
    }

    private String consoleTail() {
        try {
            String log = Files.readString(ctl.resolve("console.log"));
            return log.isBlank() ? "(no output)" : log.substring(Math.max(0, log.length() - 2000)).strip();
        } catch (IOException e) {
            return "(no console log)";
        }
    }

    /**
     * The server's own hard RLIMIT_NOFILE: raising a sandbox's past it needs CAP_SYS_RESOURCE, which
     * some hosts withhold even from root.
     */
    private static long serverHardNoFile() {
        try (var limits = Files.lines(Path.of("/proc/self/limits"))) {
            String line = limits.filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
            String hard = line.substring("Max open files".length()).strip().split("\\s+")[1];
            return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
        } catch (IOException | RuntimeException e) {
            return NOFILE_SOFT;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing only to wake the reader
        }
    }
}
