package dev.sandpool.files;

import dev.sandpool.sandbox.LibC;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A directory inside a session's data directory, reached component by component with
 * {@code openat(O_PATH | O_NOFOLLOW)}, so that no symlink planted by session code (even one swapped
 * in mid-walk) can lead the server outside. Files inside are then used through
 * {@code /proc/self/fd/<fd>/<name>}, which resolves against exactly this directory; callers add
 * NOFOLLOW_LINKS for the last component.
 */
final class DirectoryHandle implements AutoCloseable {
    private final int fd;

    private DirectoryHandle(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code components} below {@code root}. With {@code create}, missing directories are made
     * (mode 0755) and given to {@code ownerUid}, so that session code can use them.
     */
    static DirectoryHandle open(Path root, List<String> components, boolean create, int ownerUid) throws IOException {
        int current = LibC.openDirectoryNoFollow(LibC.AT_FDCWD, root.toString());
        if (current < 0) {
            throw new IOException("cannot open the session directory (errno " + -current + ")");
        }
        try {
            for (String name : components) {
                int next = LibC.openDirectoryNoFollow(current, name);
                if (next == -LibC.ENOENT && create) {
                    int rc = LibC.mkdirAt(current, name, 0755);
                    if (rc != 0 && rc != -LibC.EEXIST) {
                        throw new IOException("cannot create directory '" + name + "' (errno " + -rc + ")");
                    }
                    next = LibC.openDirectoryNoFollow(current, name);
                    if (next >= 0 && rc == 0) {
                        LibC.chownFd(next, ownerUid, ownerUid);
                    }
                }
                if (next < 0) {
                    throw next == -LibC.ENOENT
                            ? new NoSuchFileException(name)
                            : new NotADirectoryException(name);
                }
                LibC.closeFd(current);
                current = next;
            }
            return new DirectoryHandle(current);
        } catch (IOException | RuntimeException e) {
            LibC.closeFd(current);
            throw e;
        }
    }

    /** The directory itself, as a path the kernel resolves through the handle. */
    Path path() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** An entry of this directory. */
    Path child(String name) {
        return path().resolve(name);
    }

    @Override
    public void close() {
        LibC.closeFd(fd);
    }

    /** A path component is a file, a symlink or something else that is not a directory. */
    static final class NotADirectoryException extends IOException {
        NotADirectoryException(String name) {
            super("'" + name + "' is not a directory");
        }
    }
}
