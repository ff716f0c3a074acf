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

    private LibC() {}

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    public static void mkfifo(Path path, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int rc = (int) MKFIFO.invokeExact(errno, arena.allocateFrom(path.toString()), mode);
            check(rc, errno, "mkfifo " + path);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sends a signal; a process that is already gone is not an error. */
    public static void kill(long pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int rc = (int) KILL.invokeExact(errno, (int) pid, signal);
            if (rc != 0 && errno(errno) != ESRCH) {
                throw new IllegalStateException("kill(" + pid + ", " + signal + ") failed: errno " + errno(errno));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes this process adopt orphaned descendants, so that none lingers as a zombie under init. */
    public static void becomeChildSubreaper() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int rc = (int) PRCTL.invokeExact(errno, PR_SET_CHILD_SUBREAPER, 1L);
            check(rc, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int openForWrite(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path.toString()),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            check(fd, errno, "open " + path);
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static void check(int rc, MemorySegment capture, String what) throws IOException {
        if (rc < 0) {
            throw new IOException(what + " failed: errno " + errno(capture));
        }
    }
}
