package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A directory held by an O_PATH descriptor and named {@code /proc/self/fd/<fd>/.}: the name reaches
 * exactly this directory while it is held, whether or not it is mounted anywhere the server can
 * see (a settled sandbox's volume is not), and so keeps that filesystem alive. Once closed, the
 * number may name another file: whoever uses the path must hold the directory until done, with a
 * hold of their own (opened through the path) instead of sharing one.
 */
public final class HeldDirectory implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HeldDirectory(int fd) {
        this.fd = fd;
    }

    /** A directory the server made, which must not be a symlink (symlinks on the way to it are followed). */
    static HeldDirectory open(Path dir) throws IOException {
        int fd = LibC.openDirectoryNoFollow(LibC.AT_FDCWD, dir.toString());
        if (fd < 0) {
            throw new IOException("cannot open the directory " + dir + ": errno " + -fd);
        }
        return new HeldDirectory(fd);
    }

    /** The root directory of a process, through its /proc magic link. */
    static HeldDirectory rootOf(long pid) throws IOException {
        return new HeldDirectory(LibC.openDirectory(Path.of("/proc/" + pid + "/root")));
    }

    /**
     * The directory {@code names} lead to from this one, one component at a time with no symlink
     * followed: for walking a tree that hostile code may have rearranged.
     */
    HeldDirectory below(String... names) throws IOException {
        int current = fd;
        for (String name : names) {
            int next = LibC.openDirectoryNoFollow(current, name);
            if (current != fd) {
                LibC.closeFd(current);
            }
            if (next < 0) {
                throw new NoSuchFileException(String.join("/", names), null, "errno " + -next + " at '" + name + "'");
            }
            current = next;
        }
        return current == fd ? open(path()) : new HeldDirectory(current);
    }

    /** statfs's type of the filesystem the directory is on. */
    long filesystemType() throws IOException {
        return LibC.filesystemType(fd);
    }

    /** The directory, as a path the kernel resolves through the descriptor; valid until {@link #close()}. */
    public Path path() {
        return Path.of("/proc/self/fd/" + fd + "/.");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LibC.closeFd(fd);
        }
    }
}
