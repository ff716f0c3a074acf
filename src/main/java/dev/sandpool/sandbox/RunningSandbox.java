package dev.sandpool.sandbox;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sandbox, bubblewrap or gVisor: its first host process ({@code initPid}: bwrap's
 * pid-namespace init, or the shell that runs runsc in the sandbox's network namespace), its cgroup
 * and directories, and the launching process when this server started it (a sandbox adopted after
 * a restart has none). Everything it started is in its cgroup, which is how it is ended.
 *
 * <p>Until it is settled, the server reaches its /mnt/data and /run/sandpool by host paths on its
 * mounted volume. A settled bubblewrap sandbox's volume is mounted only in the sandbox's own mount
 * namespace, and the server holds both directories by descriptors ({@link SettledVolume}).
 */
final class RunningSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(RunningSandbox.class);
    private final String id;
    private final Path root;
    private final Path data;
    private final Path run;
    /** Whether settling takes the sandbox's mounts off the host (not gVisor's: its gofer serves them from there). */
    private final boolean unmountsWhenSettled;
    private SettledVolume settled; // guarded by this
    private final int uid;
    private final Process process; // null when adopted from an earlier server process
    private final long initPid;
    private final long initStartTicks;
    private final Cgroup cgroup;
    private final ResourceLimits limits;
    private final Runnable releaseUid;
    private final NamespaceDialer dialer;
    private final AtomicBoolean closed = new AtomicBoolean();

    RunningSandbox(String id, Path root, Path data, Path run, int uid, Process process, long initPid,
                      long initStartTicks, Cgroup cgroup, ResourceLimits limits, Runnable releaseUid,
                      NamespaceDialer dialer, boolean unmountsWhenSettled) {
        this.dialer = dialer;
        this.unmountsWhenSettled = unmountsWhenSettled;
        this.id = id;
        this.root = root;
        this.data = data;
        this.run = run;
        this.uid = uid;
        this.process = process;
        this.initPid = initPid;
        this.initStartTicks = initStartTicks;
        this.cgroup = cgroup;
        this.limits = limits;
        this.releaseUid = releaseUid;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized HeldDirectory openData() throws java.io.IOException {
        if (closed.get()) {
            throw new java.io.IOException("the session's sandbox has ended");
        }
        return HeldDirectory.open(settled != null ? settled.data() : data);
    }

    @Override
    public synchronized Path runDir() {
        return settled != null ? settled.run() : run;
    }

    @Override
    public synchronized void settle() throws java.io.IOException {
        if (!unmountsWhenSettled || closed.get() || settled != null) {
            return;
        }
        settled = SettledVolume.mountedAbove(data, run);
        Mounts.unmountBelow(root);
    }

    /** Settles a sandbox an earlier server started, whose directories may have no host path left. */
    synchronized void settleFound() throws java.io.IOException {
        if (!unmountsWhenSettled) {
            return;
        }
        if (!java.nio.file.Files.isDirectory(root.resolve("layer"))) { // a custom container: nothing of it is reached
            settled = SettledVolume.foundInside(initPid, initStartTicks);
        }
        Mounts.unmountBelow(root);
    }

    private synchronized void release() {
        if (settled != null) {
            settled.close();
        }
    }

    public int uid() {
        return uid;
    }

    @Override
    public SandboxHandle handle() {
        return new SandboxHandle(id, uid, initPid, initStartTicks);
    }

    @Override
    public boolean isAlive() {
        if (closed.get()) {
            return false;
        }
        return process != null ? process.isAlive() : ProcScan.startTicks(initPid) == initStartTicks;
    }

    @Override
    public void detach() {
        closed.set(true);
        release();
    }

    @Override
    public long processLimitHits() {
        return cgroup.pidsLimitHits();
    }

    @Override
    public java.net.Socket connect(int port, java.time.Duration timeout) throws java.io.IOException {
        if (!isAlive()) {
            throw new java.io.IOException("the session's sandbox is not running");
        }
        return dialer.connect(initPid, initStartTicks, port, timeout);
    }

    @Override
    public boolean oomKilled() {
        return cgroup.oomKills() > 0;
    }

    @Override
    public String deathReason() {
        if (cgroup.oomKills() > 0) {
            return "memory limit of " + limits.memory() + " exceeded: the session's processes were killed";
        }
        if (process == null || process.isAlive()) {
            return "the session's interpreter stopped unexpectedly";
        }
        // bwrap passes its child's end on as the JDK reports a signalled process: 128 + the signal
        int status = process.exitValue();
        if (status > 128 && status < 128 + 65) {
            return "the session's sandbox was killed by signal " + (status - 128) + signalName(status - 128);
        }
        return "the session's sandbox ended: its interpreter exited with status " + status;
    }

    private static String signalName(int signal) {
        String name = switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> null;
        };
        return name == null ? "" : " (" + name + ")";
    }

    @Override
    public String consoleTail() {
        try {
            String log = java.nio.file.Files.readString(root.resolve("ctl").resolve("console.log"));
            return log.substring(Math.max(0, log.length() - 4000)).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Override
    public byte[] console() throws java.io.IOException {
        Path ctl = root.resolve("ctl");
        var out = new java.io.ByteArrayOutputStream();
        for (String name : new String[] {"console.log.1", "console.log"}) {
            Path file = ctl.resolve(name);
            if (java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                out.writeBytes(java.nio.file.Files.readAllBytes(file));
            }
        }
        return out.toByteArray();
    }

    @Override
    public void foreground() {
        try {
            cgroup.idle(false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void rotateConsole(long maxBytes) {
        Path current = root.resolve("ctl").resolve("console.log");
        try {
            if (closed.get() || !java.nio.file.Files.isRegularFile(current) || java.nio.file.Files.size(current) <= maxBytes) {
                return;
            }
            // only the newest maxBytes are kept: a flood may have written far more since the last look
            try (var channel = java.nio.channels.FileChannel.open(current, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE);
                 var rotated = java.nio.channels.FileChannel.open(root.resolve("ctl").resolve("console.log.1"),
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                         java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                long size = channel.size();
                channel.transferTo(Math.max(0, size - maxBytes), maxBytes, rotated);
                channel.truncate(0);
            }
        } catch (java.io.IOException e) {
            // the sandbox ended meanwhile; its directory is going away
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // SIGKILL to a pid namespace's init ends every process in it; the cgroup catches anything else
        if (ProcScan.startTicks(initPid) == initStartTicks) {
            LibC.kill(initPid, LibC.SIGKILL);
        }
        boolean emptied = removeCgroup();
        try {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dialer.forget(initPid, initStartTicks);
            release();
            EgressNetwork.stop(root);
            Mounts.unmountBelow(root);
            Trees.deleteRecursively(root);
            if (emptied) {
                releaseUid.run();
            } else {
                finishInBackground();
            }
        }
    }

    /**
     * Kills what is left in the sandbox's cgroup and removes it; false when its processes are still
     * exiting after the usual wait: one holding millions of open files takes seconds to close them.
     */
    private boolean removeCgroup() {
        try {
            cgroup.remove();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * The caller (a request whose session just died, say) is not kept waiting: the group is removed
     * once its processes are gone, and only then is the uid free for another sandbox.
     */
    private void finishInBackground() {
        Thread.ofVirtual().name("sandbox-reaper").start(() -> {
            for (int attempt = 0; attempt < 30; attempt++) {
                if (removeCgroup()) {
                    releaseUid.run();
                    return;
                }
            }
            LOG.warn("{}: its processes did not exit; its cgroup stays, and uid {} is not reused until the server restarts",
                    this, uid);
        });
    }

    @Override
    public String toString() {
        return "sandbox " + id + " (uid " + uid + ", init pid " + initPid + ")";
    }
}
