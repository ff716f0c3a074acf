package dev.sandpool.sandbox;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A filesystem of the session's own, the size of its quota, where everything it writes to disk
 * goes: /mnt/data, or a custom container's writable layer. Session code that fills it gets ENOSPC;
 * the host's disk and other sessions are not touched.
 *
 * <p>It is an ext4 (no journal: nothing on it outlives the session) on a sparse image file in the
 * session's root-only {@code ctl/}, loop-mounted on the host. Measured on the development machine:
 * about 25 ms of mkfs and mount per sandbox start when idle (a third of a cold start), about
 * 150 KiB of disk and 160 KiB of kernel memory per idle session. A size-capped tmpfs would start faster but keeps files in RAM, charged to the
 * session's memory limit (a full /mnt/data would OOM-kill the session instead of refusing the write)
 * and, for uploads, to the server. The mount is removed with every mount below the session's tree
 * ({@link Mounts#unmountBelow}); the loop device is released with it (autoclear).
 */
final class DataVolume {
    /** ext4's own metadata takes about 3 % of the image; the rest must hold the whole quota. */
    private static final long FIXED_OVERHEAD = 4L << 20;
    private static final Path MKFS = Path.of("/usr/sbin/mkfs.ext4");

    private DataVolume() {}

    /** Fails at the server's start, not at every session's, on a host without e2fsprogs. */
    static void checkTools() throws IOException {
        if (!Files.isExecutable(MKFS)) {
            throw new IOException(MKFS + " is missing: install e2fsprogs (each session's disk is an ext4 volume)");
        }
    }

    /** Makes the volume in {@code image} and mounts it on {@code mountPoint}, owned by {@code ownerUid}, mode 0700. */
    static void mount(Path image, Path mountPoint, int ownerUid, long quotaBytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(quotaBytes + quotaBytes / 32 + FIXED_OVERHEAD);
        }
        Mounts.run(MKFS.toString(), "-q", "-F", "-m", "0", "-O", "^has_journal,^resize_inode",
                "-E", "root_owner=" + ownerUid + ":" + ownerUid + ",nodiscard", image.toString());
        Mounts.run("/bin/mount", "-o", "loop,nosuid,nodev", image.toString(), mountPoint.toString());
        Files.delete(mountPoint.resolve("lost+found"));
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwx------"));
    }
}
