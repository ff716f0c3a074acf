package dev.sandpool.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A session's /mnt/data as the server sees it from the host: list, stat, read, write, delete.
 * Session code owns this directory and may fill it with symlinks, FIFOs or races; every operation
 * goes through {@link DirectoryHandle} and never follows a link. Only regular files and
 * directories are listed or read. The quota is checked against the files' sizes before an upload,
 * and the directory is a filesystem of about the quota's size (see the sandbox's DataVolume), which
 * also bounds what session code writes.
 */
public final class SessionFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private final Path root;
    private final int ownerUid;
    private final long quotaBytes;

    public record Entry(SessionPath path, boolean directory, long size, Instant lastModified) {}

    public SessionFiles(Path root, long quotaBytes) {
        this.root = root;
        this.quotaBytes = quotaBytes;
        try {
            this.ownerUid = (Integer) Files.getAttribute(root, "unix:uid", NOFOLLOW);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries of {@code dir}; with {@code recursive}, of every directory below it too. */
    public List<Entry> list(SessionPath dir, boolean recursive) throws IOException {
        List<Entry> entries = new ArrayList<>();
        collect(dir, recursive, entries, 0);
        return entries;
    }

    private void collect(SessionPath dir, boolean recursive, List<Entry> into, int depth) throws IOException {
        List<Entry> here = new ArrayList<>();
        try (DirectoryHandle handle = DirectoryHandle.open(root, dir.components(), false, ownerUid);
             DirectoryStream<Path> stream = Files.newDirectoryStream(handle.path())) {
            for (Path child : stream) {
                String name = child.getFileName().toString();
                if (name.startsWith(".sandpool-upload-")) {
                    continue;
                }
                entry(handle, dir.resolve(name)).ifPresent(here::add);
            }
        }
        here.sort((a, b) -> a.path().relative().compareTo(b.path().relative()));
        for (Entry e : here) {
            into.add(e);
            if (recursive && e.directory() && depth < 64) {
                collect(e.path(), true, into, depth + 1);
            }
        }
    }

    public Entry stat(SessionPath path) throws IOException {
        if (path.isRoot()) {
            BasicFileAttributes a = Files.readAttributes(root, BasicFileAttributes.class, NOFOLLOW);
            return new Entry(path, true, 4096, a.lastModifiedTime().toInstant());
        }
        try (DirectoryHandle parent = DirectoryHandle.open(root, path.parent().components(), false, ownerUid)) {
            return entry(parent, path).orElseThrow(() -> new NoSuchFileException(path.relative()));
        }
    }

    private static java.util.Optional<Entry> entry(DirectoryHandle parent, SessionPath path) {
        try {
            BasicFileAttributes a = Files.readAttributes(parent.child(path.name()), BasicFileAttributes.class, NOFOLLOW);
            if (!a.isRegularFile() && !a.isDirectory()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new Entry(path, a.isDirectory(), a.isDirectory() ? 4096 : a.size(),
                    a.lastModifiedTime().toInstant()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Opens a regular file for reading; the caller closes the stream. */
    public InputStream read(SessionPath path) throws IOException {
        if (path.isRoot()) {
            throw new NoSuchFileException(path.absolute() + " is a directory");
        }
        try (DirectoryHandle parent = DirectoryHandle.open(root, path.parent().components(), false, ownerUid)) {
            Path file = parent.child(path.name());
            if (!Files.isRegularFile(file, NOFOLLOW)) {
                throw new NoSuchFileException(path.relative());
            }
            return Files.newInputStream(file, StandardOpenOption.READ, NOFOLLOW);
        }
    }

    /**
     * Stores {@code content} at {@code path}, replacing a file there. It is written to a hidden temporary
     * file first and renamed into place, so a failed or refused upload leaves nothing behind.
     */
    public Entry write(SessionPath path, InputStream content, long maxBytes) throws IOException {
        if (path.isRoot()) {
            throw new SessionPath.InvalidPathException("a file name is required");
        }
        long used = usage();
        try (DirectoryHandle parent = DirectoryHandle.open(root, path.parent().components(), true, ownerUid)) {
            Path target = parent.child(path.name());
            if (Files.isDirectory(target, NOFOLLOW)) {
                throw new FileAlreadyExistsException(path.relative() + " is a directory");
            }
            long replaced = Files.isRegularFile(target, NOFOLLOW) ? Files.size(target) : 0;
            long room = Math.min(maxBytes, quotaBytes - used + replaced);
            Path temp = parent.child(".sandpool-upload-" + UUID.randomUUID());
            try {
                long written;
                try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp,
                        java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW))) {
                    written = copyAtMost(content, java.nio.channels.Channels.newOutputStream(channel), room);
                    durable(channel, path);
                } catch (IOException e) {
                    // the session's volume is the quota's size: session code filled it, or a replaced
                    // file and its successor do not fit side by side
                    if (!(e instanceof InsufficientStorageException) && InsufficientStorageException.isNoSpace(e)) {
                        throw new QuotaExceededException(quotaBytes);
                    }
                    throw e;
                }
                if (written > room) {
                    throw written > maxBytes ? new FileTooLargeException(maxBytes) : new QuotaExceededException(quotaBytes);
                }
                Files.setAttribute(temp, "unix:uid", ownerUid, NOFOLLOW);
                Files.setAttribute(temp, "unix:gid", ownerUid, NOFOLLOW);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (InsufficientStorageException.isNoSpace(e)) {
                    throw new InsufficientStorageException("the server's disk is full: no room to store "
                            + path.absolute() + "; nothing was stored", e);
                }
                throw e;
            } finally {
                Files.deleteIfExists(temp);
            }
            return entry(parent, path).orElseThrow(() -> new NoSuchFileException(path.relative()));
        }
    }

    /**
     * Forces the upload to disk before it is renamed into place. The session's volume is a sparse
     * image on the server's disk: with that disk full, writes into the volume still succeed (into
     * memory) and fail only when written back, so without this a full disk would take the file
     * after the client was told it was stored. (A full volume refuses the write itself: an error
     * here is the server's disk.)
     */
    private static void durable(java.nio.channels.FileChannel channel, SessionPath path) throws IOException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new InsufficientStorageException("the server's disk is full or failing: could not store " + path.absolute()
                    + " (" + e.getMessage() + "); nothing was stored", e);
        }
    }

    /** Copies up to {@code limit + 1} bytes, so that the caller can tell "exactly the limit" from "over it". */
    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > limit) {
                return total;
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    /** Deletes a file, a link, or a directory with everything below it; false when nothing was there. */
    public boolean delete(SessionPath path) throws IOException {
        if (path.isRoot()) {
            throw new SessionPath.InvalidPathException("the root of " + SessionPath.MOUNT + " cannot be deleted");
        }
        try (DirectoryHandle parent = DirectoryHandle.open(root, path.parent().components(), false, ownerUid)) {
            Path target = parent.child(path.name());
            if (!Files.exists(target, NOFOLLOW)) {
                return false;
            }
            if (Files.isDirectory(target, NOFOLLOW)) {
                for (Entry child : list(path, false)) {
                    delete(child.path());
                }
                deleteOddEntries(path);
            }
            Files.delete(target);
            return true;
        } catch (NoSuchFileException | DirectoryHandle.NotADirectoryException e) {
            return false;
        }
    }

    /** Links, FIFOs and sockets are not listed, but must go before their directory can. */
    private void deleteOddEntries(SessionPath dir) throws IOException {
        try (DirectoryHandle handle = DirectoryHandle.open(root, dir.components(), false, ownerUid);
             DirectoryStream<Path> stream = Files.newDirectoryStream(handle.path())) {
            for (Path child : stream) {
                Path entry = handle.child(child.getFileName().toString());
                if (!Files.isDirectory(entry, NOFOLLOW)) {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    /** Bytes in regular files below the root. */
    public long usage() throws IOException {
        long total = 0;
        for (Entry e : list(SessionPath.root(), true)) {
            total += e.directory() ? 0 : e.size();
        }
        return total;
    }
}
