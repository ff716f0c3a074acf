package dev.sandpool.sandbox;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loop-mounts an image and detaches mounts with the kernel's own calls (loop-control, LOOP_CONFIGURE,
 * mount(2), umount2(2)): spawning mount(8) and umount(8) cost about 15 ms of every session's start
 * and end, most of it the tools' own start-up. Needs Linux 5.8 or later (LOOP_CONFIGURE).
 */
final class LoopMount {
    static final Path LOOP_CONTROL = Path.of("/dev/loop-control");
    private static final long LOOP_CTL_GET_FREE = 0x4C82;
    private static final long LOOP_CONFIGURE = 0x4C0A;
    private static final int LO_FLAGS_AUTOCLEAR = 4;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final int MNT_DETACH = 2;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
    private static final int S_IFBLK = 0060000;
    private static final int LOOP_MAJOR = 7;

    private static final MethodHandle IOCTL = LibC.libc("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MOUNT = LibC.libc("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = LibC.libc("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNOD = LibC.libc("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));

    private LoopMount() {}

    /**
     * Mounts the ext4 image on {@code target}, nosuid and nodev, through a free loop device that
     * goes away with the mount (autoclear). {@code noinit_itable}: the image is sparse, its inode
     * tables already read as zeros, so the kernel need not write them in the background.
     */
    static void mountExt4(Path image, Path target) throws IOException {
        int file = LibC.open(image, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try {
            Attached loop = attach(file);
            try {
                mount(loopPath(loop.number()), target);
            } finally {
                LibC.close(loop.fd()); // the mount holds the device now; autoclear frees it with the mount
            }
        } finally {
            LibC.close(file);
        }
    }

    private record Attached(int number, int fd) {}

    /** Binds {@code file} to a free loop device, returned open. */
    private static Attached attach(int file) throws IOException {
        int control = LibC.open(LOOP_CONTROL, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        try {
            // another thread or process may take the free device between asking and binding it
            for (int attempt = 0; ; attempt++) {
                int number = (int) LibC.checked("LOOP_CTL_GET_FREE",
                        (arena, errno) -> (int) IOCTL.invokeExact(errno, control, LOOP_CTL_GET_FREE, MemorySegment.NULL));
                int loop = openLoop(number);
                long rc = LibC.raw((arena, errno) -> {
                    // struct loop_config { u32 fd; u32 block_size; struct loop_info64 info (lo_flags at 52); u64 reserved[8]; }
                    MemorySegment config = arena.allocate(304, 8);
                    config.set(JAVA_INT, 0, file);
                    config.set(JAVA_INT, 8 + 52, LO_FLAGS_AUTOCLEAR);
                    return (int) IOCTL.invokeExact(errno, loop, LOOP_CONFIGURE, config);
                });
                if (rc == 0) {
                    return new Attached(number, loop);
                }
                LibC.close(loop);
                if (-rc != EBUSY || attempt >= 20) {
                    throw new IOException("LOOP_CONFIGURE on /dev/loop" + number + " failed: errno " + -rc
                            + (-rc == EINVAL ? " (a kernel before 5.8?)" : ""));
                }
            }
        } finally {
            LibC.close(control);
        }
    }

    /** Opens /dev/loopN, making the node first where no device manager did (a minimal /dev). */
    private static int openLoop(int number) throws IOException {
        Path node = loopPath(number);
        if (!Files.exists(node)) {
            long dev = ((long) (number & 0xffffff00) << 12) | ((LOOP_MAJOR & 0xfff) << 8) | (number & 0xff);
            long rc = LibC.raw((arena, errno) -> (int) MKNOD.invokeExact(errno, arena.allocateFrom(node.toString()),
                    S_IFBLK | 0600, dev));
            if (rc < 0 && -rc != LibC.EEXIST) {
                throw new IOException("mknod " + node + " failed: errno " + -rc);
            }
        }
        return LibC.open(node, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
    }

    private static Path loopPath(int number) {
        return Path.of("/dev/loop" + number);
    }

    private static void mount(Path device, Path target) throws IOException {
        LibC.checked("mount " + device + " on " + target, (arena, errno) -> (int) MOUNT.invokeExact(errno,
                arena.allocateFrom(device.toString()), arena.allocateFrom(target.toString()), arena.allocateFrom("ext4"),
                MS_NOSUID | MS_NODEV, arena.allocateFrom("noinit_itable")));
    }

    /** Detaches the mount on {@code target} now; the kernel finishes it once nothing uses it (umount -l). */
    static void detach(String target) throws IOException {
        LibC.checked("umount " + target, (arena, errno) -> (int) UMOUNT2.invokeExact(errno, arena.allocateFrom(target),
                MNT_DETACH));
    }
}
