package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A user namespace that exists only to describe a uid and gid mapping, for an idmapped mount: a
 * process started for it unshares its user namespace and waits; the server (root) writes the
 * maps and opens the namespace. The mount keeps the namespace alive after the process is gone.
 */
final class MappingNamespace implements AutoCloseable {
    private final Process holder;
    private final int fd;

    private MappingNamespace(Process holder, int fd) {
        this.holder = holder;
        this.fd = fd;
    }

    /** Maps {@code uid} to host {@code hostUid} and {@code gid} to host {@code hostGid}, and nothing else. */
    static MappingNamespace of(int uid, int hostUid, int gid, int hostGid) throws IOException {
        Process holder = new ProcessBuilder("/usr/bin/unshare", "--user", "/bin/sleep", "60")
                .redirectErrorStream(true).start();
        try {
            Path proc = Path.of("/proc", Long.toString(holder.pid()));
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // the holder is in its new namespace once unshare has run; until then its link is ours
            while (Files.readSymbolicLink(proc.resolve("ns/user")).equals(own)) {
                if (!holder.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("unshare --user did not start: "
                            + new String(holder.getInputStream().readAllBytes()).strip());
                }
                Thread.sleep(1);
            }
            Files.writeString(proc.resolve("uid_map"), uid + " " + hostUid + " 1\n");
            Files.writeString(proc.resolve("gid_map"), gid + " " + hostGid + " 1\n");
            return new MappingNamespace(holder, LibC.openReadOnly(proc.resolve("ns/user")));
        } catch (IOException | RuntimeException e) {
            stop(holder);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(holder);
            throw new java.io.InterruptedIOException("interrupted while making a user namespace");
        }
    }

    int fd() {
        return fd;
    }

    @Override
    public void close() {
        LibC.close(fd);
        stop(holder);
    }

    private static void stop(Process holder) {
        holder.destroyForcibly();
        try {
            holder.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
