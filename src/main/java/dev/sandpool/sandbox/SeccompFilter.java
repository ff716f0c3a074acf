package dev.sandpool.sandbox;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox's syscall filter: a deny-list compiled to BPF by libseccomp (called through FFM, so
 * no C is built), written once to a file that bwrap reads with {@code --seccomp}. Default action is
 * allow; what is denied is what lets a process leave or see past its sandbox, or attack the kernel
 * through rarely needed interfaces.
 */
public final class SeccompFilter {
    private static final int ACT_ALLOW = 0x7fff0000;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int EAFNOSUPPORT = 97;
    private static final int CMP_EQ = 4;
    private static final int CMP_GT = 6;
    private static final int CMP_MASKED_EQ = 7;
    private static final long ARG_CMP_SIZE = 24;

    /** Syscalls that return EPERM whatever their arguments. */
    static final List<String> DENIED = List.of(
            "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
            "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
            "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
            "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
            "open_by_handle_at", "name_to_handle_at", "io_uring_setup", "io_uring_enter", "io_uring_register",
            // Linux AIO: every context takes events from fs.aio-max-nr (65536), which the whole host shares
            "io_setup",
            "swapon", "swapoff", "reboot", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
            "syslog", "quotactl", "quotactl_fd", "iopl", "ioperm", "vhangup", "lookup_dcookie", "uselib",
            "fanotify_init", "nfsservctl");

    /** clone() flags that would create a namespace; each is tested on its own bit. */
    private static final long[] NAMESPACE_FLAGS = {
        0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L, 0x10000000L, 0x20000000L, 0x40000000L};

    private static final long TIOCSTI = 0x5412;
    private static final long TIOCLINUX = 0x541C;
    private static final long SOCK_TYPE_MASK = 0xf;
    private static final long SOCK_RAW = 3;
    private static final long SOCK_PACKET = 10;
    private static final long AF_INET6 = 10;

    private final MethodHandle init;
    private final MethodHandle ruleAdd;
    private final MethodHandle resolve;
    private final MethodHandle export;
    private final MethodHandle release;

    private SeccompFilter() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
        init = linker.downcallHandle(lib.find("seccomp_init").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        ruleAdd = linker.downcallHandle(lib.find("seccomp_rule_add_array").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        resolve = linker.downcallHandle(lib.find("seccomp_syscall_resolve_name").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        export = linker.downcallHandle(lib.find("seccomp_export_bpf").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        release = linker.downcallHandle(lib.find("seccomp_release").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
    }

    /** Compiles the filter and writes the BPF program to {@code target}. */
    public static void writeTo(Path target) throws IOException {
        new SeccompFilter().compile(target);
    }

    private void compile(Path target) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = (MemorySegment) init.invokeExact(ACT_ALLOW);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IOException("seccomp_init failed");
            }
            try {
                for (String name : DENIED) {
                    deny(arena, ctx, name, EPERM);
                }
                for (long flag : NAMESPACE_FLAGS) {
                    deny(arena, ctx, "clone", EPERM, new long[] {0, CMP_MASKED_EQ, flag, flag});
                }
                // clone3 passes its flags in memory, out of the filter's reach; ENOSYS makes libc fall back to clone
                deny(arena, ctx, "clone3", ENOSYS);
                deny(arena, ctx, "socket", EAFNOSUPPORT, new long[] {0, CMP_GT, AF_INET6, 0});
                for (long family = 0; family < AF_INET6; family++) {
                    if (family != 1 && family != 2) {
                        deny(arena, ctx, "socket", EAFNOSUPPORT, new long[] {0, CMP_EQ, family, 0});
                    }
                }
                for (long type : new long[] {SOCK_RAW, SOCK_PACKET}) {
                    deny(arena, ctx, "socket", EPERM, new long[] {1, CMP_MASKED_EQ, SOCK_TYPE_MASK, type});
                }
                for (long request : new long[] {TIOCSTI, TIOCLINUX}) {
                    deny(arena, ctx, "ioctl", EPERM, new long[] {1, CMP_MASKED_EQ, 0xffffffffL, request});
                }
                int fd = LibC.openForWrite(target);
                try {
                    int rc = (int) export.invokeExact(ctx, fd);
                    if (rc != 0) {
                        throw new IOException("seccomp_export_bpf failed: " + rc);
                    }
                } finally {
                    LibC.close(fd);
                }
            } finally {
                release.invokeExact(ctx);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("cannot build the seccomp filter: " + t, t);
        }
    }

    /** Adds one rule; each comparison is {arg index, operator, datum a, datum b}, all of which must hold. */
    private void deny(Arena arena, MemorySegment ctx, String syscall, int errno, long[]... comparisons) throws Throwable {
        int nr = (int) resolve.invokeExact(arena.allocateFrom(syscall));
        if (nr < 0) {
            return; // not a syscall on this architecture
        }
        MemorySegment args = comparisons.length == 0
                ? MemorySegment.NULL : arena.allocate(ARG_CMP_SIZE * comparisons.length, 8);
        for (int i = 0; i < comparisons.length; i++) {
            long base = i * ARG_CMP_SIZE;
            args.set(JAVA_INT, base, (int) comparisons[i][0]);
            args.set(JAVA_INT, base + 4, (int) comparisons[i][1]);
            args.set(JAVA_LONG, base + 8, comparisons[i][2]);
            args.set(JAVA_LONG, base + 16, comparisons[i][3]);
        }
        int rc = (int) ruleAdd.invokeExact(ctx, 0x00050000 | errno, nr, comparisons.length, args);
        if (rc != 0) {
            throw new IOException("seccomp rule for " + syscall + " failed: " + rc);
        }
    }
}
