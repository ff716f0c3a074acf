package dev.sandpool.sandbox;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A filesystem of the session's own, the size of its quota, where everything it writes to disk
 * goes: /mnt/data and /run/sandpool, or a custom container's writable layer. Session code that
 * fills it gets ENOSPC; the host's disk and other sessions are not touched.
 *
 * <p>It is an ext4 (no journal: nothing on it outlives the session) on a sparse image file in the
 * session's root-only {@code ctl/}, loop-mounted on the host. mkfs runs once per size and server
 * process: what it wrote (about 80 KiB for 1 GiB, the rest of the image is holes) is kept in memory
 * and written into each new image, which is then mounted with kernel calls ({@link LoopMount}).
 * Every volume of a size thus shares the template's UUID and directory hash seed; nothing here
 * tells volumes apart by either. About 150 KiB of disk and 160 KiB of kernel memory per idle
 * session. A size-capped tmpfs would keep files in RAM, charged to the session's memory limit (a
 * full /mnt/data would OOM-kill the session instead of refusing the write) and, for uploads, to the
 * server. The mount goes with every mount below the session's tree ({@link Mounts#unmountBelow});
 * the loop device with it (autoclear).
 */
final class DataVolume {
    /** ext4's own metadata takes about 3 % of the image; the rest must hold the whole quota. */
    private static final long FIXED_OVERHEAD = 4L << 20;
    private static final Path MKFS = Path.of("/usr/sbin/mkfs.ext4");
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;
    /** Far more than mkfs writes for any quota: beyond it, the filesystem below does not report holes. */
    private static final long TEMPLATE_LIMIT = 64L << 20;
    private static final MethodHandle LSEEK = LibC.libc("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final Map<Long, List<Extent>> TEMPLATES = new ConcurrentHashMap<>();

    /** A run of bytes mkfs wrote, at its offset in the image. */
    private record Extent(long offset, byte[] data) {}

    private DataVolume() {}

    /** Fails at the server's start, not at every session's, on a host without e2fsprogs or loop devices. */
    static void checkTools() throws IOException {
        if (!Files.isExecutable(MKFS)) {
            throw new IOException(MKFS + " is missing: install e2fsprogs (each session's disk is an ext4 volume)");
        }
        if (!Files.exists(LoopMount.LOOP_CONTROL)) {
            throw new IOException(LoopMount.LOOP_CONTROL + " is missing: load the loop module (modprobe loop)");
        }
    }

    /** The size of a volume holding {@code quotaBytes}: no file on it can grow past this. */
    static long imageLength(long quotaBytes) {
        return quotaBytes + quotaBytes / 32 + FIXED_OVERHEAD;
    }

    /** Makes the volume in {@code image} and mounts it on {@code mountPoint}, owned by {@code ownerUid}, mode 0700. */
    static void mount(Path image, Path mountPoint, int ownerUid, long quotaBytes) throws IOException {
        long length = imageLength(quotaBytes);
        List<Extent> template = template(length, image.getParent());
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(length);
            for (Extent extent : template) {
                file.seek(extent.offset());
                file.write(extent.data());
            }
        }
        LoopMount.mountExt4(image, mountPoint);
        Files.delete(mountPoint.resolve("lost+found"));
        Files.setAttribute(mountPoint, "unix:uid", ownerUid);
        Files.setAttribute(mountPoint, "unix:gid", ownerUid);
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwx------"));
    }

    private static List<Extent> template(long length, Path scratchDir) throws IOException {
        List<Extent> known = TEMPLATES.get(length);
        if (known != null) {
            return known;
        }
        Path scratch = Files.createTempFile(scratchDir, "template-", ".img");
        try {
            try (RandomAccessFile file = new RandomAccessFile(scratch.toFile(), "rw")) {
                file.setLength(length);
            }
            Mounts.run(MKFS.toString(), "-q", "-F", "-m", "0", "-O", "^has_journal,^resize_inode",
                    "-E", "root_owner=0:0,nodiscard", scratch.toString());
            List<Extent> extents = List.copyOf(written(scratch));
            TEMPLATES.putIfAbsent(length, extents);
            return extents;
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /** The parts of a sparse file that are not holes, found with SEEK_DATA and SEEK_HOLE. */
    private static List<Extent> written(Path sparse) throws IOException {
        List<Extent> extents = new ArrayList<>();
        int fd = LibC.openReadOnly(sparse);
        try (FileChannel channel = FileChannel.open(sparse)) {
            long position = 0;
            long total = 0;
            while (true) {
                long from = position;
                long data = LibC.raw((arena, errno) -> (long) LSEEK.invokeExact(errno, fd, from, SEEK_DATA));
                if (data == -ENXIO) {
                    return extents;
                }
                if (data < 0) {
                    throw new IOException("lseek SEEK_DATA " + sparse + " failed: errno " + -data);
                }
                long hole = LibC.checked("lseek SEEK_HOLE " + sparse,
                        (arena, errno) -> (long) LSEEK.invokeExact(errno, fd, data, SEEK_HOLE));
                total += hole - data;
                if (total > TEMPLATE_LIMIT) {
                    throw new IOException("the filesystem of " + sparse.getParent() + " does not report holes (SEEK_HOLE)"
                            + ": it cannot hold sparse session volumes");
                }
                ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(hole - data));
                while (bytes.hasRemaining() && channel.read(bytes, data + bytes.position()) > 0) {
                    // positional reads until the extent is in
                }
                extents.add(new Extent(data, bytes.array()));
                position = hole;
            }
        } finally {
            LibC.close(fd);
        }
    }
}
