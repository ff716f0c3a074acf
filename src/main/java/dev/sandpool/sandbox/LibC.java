package dev.sandpool.sandbox;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/** The few libc calls the JDK has no API for, through the FFM API; every call reports errno. */
public final class LibC {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_TRUNC = 01000;
    static final int O_CLOEXEC = 02000000;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int ESRCH = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MKFIFO = libc("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = libc("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PRCTL = libc("prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle OPENAT = libc("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle MKDIRAT = libc("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = libc("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHOWNAT = libc("fchownat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN_TREE = libc("open_tree", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MOUNT_SETATTR = libc("mount_setattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MOVE_MOUNT = libc("move_mount",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FSTATFS = libc("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** struct statfs on x86_64 and aarch64; f_type is its first field. */
    private static final long STATFS_SIZE = 120;
    static final long EXT4_SUPER_MAGIC = 0xEF53;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int AT_RECURSIVE = 0x8000;
    private static final long MOUNT_ATTR_IDMAP = 0x00100000L;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    public static final int AT_FDCWD = -100;
    private static final int O_PATH = 010000000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int AT_EMPTY_PATH = 0x1000;
    public static final int EEXIST = 17;
    public static final int ENOENT = 2;

    private LibC() {}

    static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, all);
    }

    /** One downcall, given a confined arena and the segment its errno is captured in; returns its result. */
    @FunctionalInterface
    interface Call {
        long invoke(Arena arena, MemorySegment errno) throws Throwable;
    }

    /** Makes a call; returns its non-negative result, or minus errno. */
    static long raw(Call call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            long rc = call.invoke(arena, errno);
            return rc >= 0 ? rc : -errno(errno);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes a call; a failure is an IOException naming {@code what} and the errno. */
    static long checked(String what, Call call) throws IOException {
        long rc = raw(call);
        if (rc < 0) {
            throw new IOException(what + " failed: errno " + -rc);
        }
        return rc;
    }

    public static void mkfifo(Path path, int mode) throws IOException {
        checked("mkfifo " + path, (arena, errno) -> (int) MKFIFO.invokeExact(errno, arena.allocateFrom(path.toString()), mode));
    }

    /** Sends a signal; a process that is already gone is not an error. */
    public static void kill(long pid, int signal) {
        long rc = raw((arena, errno) -> (int) KILL.invokeExact(errno, (int) pid, signal));
        if (rc < 0 && -rc != ESRCH) {
            throw new IllegalStateException("kill(" + pid + ", " + signal + ") failed: errno " + -rc);
        }
    }

    /** Makes this process adopt orphaned descendants, so that none lingers as a zombie under init. */
    public static void becomeChildSubreaper() {
        try {
            checked("prctl(PR_SET_CHILD_SUBREAPER)", (arena, errno) -> (int) PRCTL.invokeExact(errno, PR_SET_CHILD_SUBREAPER, 1L));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens directory {@code name} under {@code dirFd} as an O_PATH handle, refusing a symlink in its
     * place; returns the fd, or minus errno.
     */
    public static int openDirectoryNoFollow(int dirFd, String name) {
        return (int) raw((arena, errno) -> (int) OPENAT.invokeExact(errno, dirFd, arena.allocateFrom(name),
                O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
    }

    /** mkdirat; returns 0 or minus errno. */
    public static int mkdirAt(int dirFd, String name, int mode) {
        return (int) raw((arena, errno) -> (int) MKDIRAT.invokeExact(errno, dirFd, arena.allocateFrom(name), mode));
    }

    /** Changes the owner of the file an fd refers to (O_PATH fds included). */
    public static void chownFd(int fd, int uid, int gid) throws IOException {
        checked("fchownat", (arena, errno) -> (int) FCHOWNAT.invokeExact(errno, fd, arena.allocateFrom(""), uid, gid,
                AT_EMPTY_PATH));
    }

    /** Opens a file read-only (for namespace files); returns the fd. */
    public static int openReadOnly(Path path) throws IOException {
        return open(path, O_CLOEXEC, 0);
    }

    /**
     * Moves the calling thread into the namespace behind {@code fd}. Only that thread moves: a JVM
     * is multithreaded, so this must run on a platform thread reserved for it, never a virtual one.
     */
    public static void setns(int fd, int nstype) throws IOException {
        checked("setns", (arena, errno) -> (int) SETNS.invokeExact(errno, fd, nstype));
    }

    /**
     * Bind-mounts {@code source} on {@code target} with its owners translated through the user
     * namespace behind {@code usernsFd} (an idmapped mount, Linux 5.12+): a file owned by uid
     * {@code n} on disk appears owned by whatever host uid that namespace maps {@code n} to.
     */
    static void idmappedBind(Path source, Path target, int usernsFd) throws IOException {
        int tree = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            tree = (int) OPEN_TREE.invokeExact(errno, AT_FDCWD, arena.allocateFrom(source.toString()),
                    OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
            check(tree, errno, "open_tree " + source);
            // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
            MemorySegment attr = arena.allocate(32, 8);
            attr.set(JAVA_LONG, 0, MOUNT_ATTR_IDMAP);
            attr.set(JAVA_LONG, 24, usernsFd);
            MemorySegment empty = arena.allocateFrom("");
            int rc = (int) MOUNT_SETATTR.invokeExact(errno, tree, empty, AT_EMPTY_PATH, attr, 32L);
            check(rc, errno, "mount_setattr MOUNT_ATTR_IDMAP on " + source);
            rc = (int) MOVE_MOUNT.invokeExact(errno, tree, empty, AT_FDCWD, arena.allocateFrom(target.toString()),
                    MOVE_MOUNT_F_EMPTY_PATH);
            check(rc, errno, "move_mount to " + target);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            if (tree >= 0) {
                close(tree);
            }
        }
    }

    public static void closeFd(int fd) {
        close(fd);
    }

    /** Opens a directory as an O_PATH handle, following symlinks (and /proc's magic links) on the way. */
    static int openDirectory(Path dir) throws IOException {
        return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }

    /** statfs's f_type of the filesystem an fd (an O_PATH one too) is on. */
    static long filesystemType(int fd) throws IOException {
        return checked("fstatfs", (arena, errno) -> {
            MemorySegment statfs = arena.allocate(STATFS_SIZE, 8);
            int rc = (int) FSTATFS.invokeExact(errno, fd, statfs);
            return rc < 0 ? rc : statfs.get(JAVA_LONG, 0);
        });
    }

    static int openForWrite(Path path) throws IOException {
        return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }

    static int open(Path path, int flags, int mode) throws IOException {
        return (int) checked("open " + path, (arena, errno) -> (int) OPEN.invokeExact(errno,
                arena.allocateFrom(path.toString()), flags, mode));
    }

    static void close(int fd) {
        raw((arena, errno) -> (int) CLOSE.invokeExact(errno, fd));
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static void check(long rc, MemorySegment capture, String what) throws IOException {
        if (rc < 0) {
            throw new IOException(what + " failed: errno " + errno(capture));
        }
    }
}
