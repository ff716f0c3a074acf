package dev.sandpool.sandbox;

import dev.sandpool.config.SandboxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/**
 * Starts sandboxes with bubblewrap, each as its own unprivileged host uid, in fresh user, pid, ipc,
 * uts, mount, cgroup and network namespaces, under the seccomp filter, and inside per-sandbox
 * cgroups joined before the sandbox's command runs.
 *
 * <p>Layout of one sandbox on the host: {@code <dataDir>/sessions/<id>/} (root, 0711) holding
 * {@code volume/} (a {@link DataVolume} of its own) with {@code data/} (the sandbox's /mnt/data) and
 * {@code run/} (its /run/sandpool, where the driver's socket lives), and {@code ctl/} (root only:
 * the console log, the start-up FIFOs and the volume's image). A custom container's writable layer
 * is such a volume too, mounted on {@code layer/}.
 */
public final class BubblewrapRuntime implements SandboxRuntime {
    static final int INSIDE_UID = 1000;
    /** Host directories a built-in sandbox sees read-only at the same path, bound on their own. */
    private static final List<String> HOST_ETC_DIRS = List.of("/etc/alternatives", "/etc/ssl");
    /** Host files it sees read-only at the same path, copied into its /etc when the server starts. */
    private static final List<String> HOST_ETC_FILES = List.of("/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types",
            "/etc/matplotlibrc");
    /** Both, when the host has them. */
    static final List<String> HOST_ETC = java.util.stream.Stream.concat(HOST_ETC_DIRS.stream(), HOST_ETC_FILES.stream()).toList();
    private static final List<String> GENERATED_ETC = List.of("passwd", "group", "hosts", "nsswitch.conf");
    /** The environment of a built-in sandbox, before the spec's own. */
    static final java.util.Map<String, String> BUILT_IN_ENV = builtInEnv();

    private final Path sessionsDir;
    private final Path etcDir;
    private final Path sandboxEtc;
    private final Path seccompFile;
    private final SandboxConfig config;
    private final UidAllocator uids;
    private final NamespaceDialer dialer = new NamespaceDialer(4);
    private final SandboxSlots slots;

    public BubblewrapRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups) throws IOException {
        this(dataDir, config, cgroups, dev.sandpool.config.FilesConfig.DEFAULT_QUOTA.bytes());
    }

    /** {@code diskQuotaBytes} is what each sandbox may write to disk: its /mnt/data or its container layer. */
    public BubblewrapRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups, long diskQuotaBytes)
            throws IOException {
        this(dataDir, config, cgroups, new UidAllocator(config.uidBase(), config.uidCount()), diskQuotaBytes);
    }

    /** A runtime sharing its uid range with another (gVisor's), so no two sandboxes get the same uid. */
    BubblewrapRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups, UidAllocator uids, long diskQuotaBytes)
            throws IOException {
        DataVolume.checkTools();
        HostTables.raise();
        this.config = config;
        this.uids = uids;
        this.sessionsDir = dataDir.resolve("sessions");
        Path runtimeDir = dataDir.resolve("runtime");
        this.etcDir = runtimeDir.resolve("etc");
        this.sandboxEtc = runtimeDir.resolve("sandbox-etc");
        this.seccompFile = runtimeDir.resolve("seccomp.bpf");
        traversable(dataDir);
        this.slots = new SandboxSlots(sessionsDir, cgroups, uids, dialer, diskQuotaBytes, true);
        traversable(runtimeDir);
        traversable(etcDir);
        writeEtc();
        writeSandboxEtc();
        SeccompFilter.writeTo(seccompFile);
    }

    private static java.util.Map<String, String> builtInEnv() {
        var env = new java.util.LinkedHashMap<String, String>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", Sandbox.DATA_DIR_INSIDE);
        env.put("USER", "user");
        env.put("LANG", "C.UTF-8");
        env.put("TMPDIR", "/tmp");
        // caches of libraries (fontconfig, pip...) must not show up among the user's files
        env.put("XDG_CACHE_HOME", "/tmp/.cache");
        env.put("XDG_CONFIG_HOME", "/tmp/.config");
        return java.util.Collections.unmodifiableMap(env);
    }

    /** Session uids must pass through these to reach their own directories; they may not list them. */
    static void traversable(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }

    /** A minimal /etc: enough for getpwuid, localhost and a UTF-8 locale, and nothing of the host's. */
    private void writeEtc() throws IOException {
        Files.writeString(etcDir.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "user:x:" + INSIDE_UID + ":" + INSIDE_UID + ":sandbox user:/mnt/data:/bin/bash\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(etcDir.resolve("group"), "root:x:0:\nuser:x:" + INSIDE_UID + ":\nnogroup:x:65534:\n");
        Files.writeString(etcDir.resolve("hosts"), "127.0.0.1 localhost sandbox\n::1 localhost ip6-localhost\n");
        Files.writeString(etcDir.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        Files.writeString(etcDir.resolve("resolv.conf"), "nameserver " + EgressNetwork.DNS + "\n");
        Files.writeString(etcDir.resolve("resolv-gated.conf"), "nameserver " + DnsGate.ADDRESS + "\n");
        for (String name : List.of("passwd", "group", "hosts", "nsswitch.conf", "resolv.conf", "resolv-gated.conf")) {
            Files.setPosixFilePermissions(etcDir.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /**
     * The built-in sandboxes' whole /etc, bound as one directory: each bind costs bwrap a read of
     * the mount table, which grows with every live session's volume, so ten binds of single files
     * were a measurable part of every start. The host's files are copied when the server starts
     * (a changed time zone needs a restart); its directories are bound onto empty ones here.
     */
    private void writeSandboxEtc() throws IOException {
        Files.createDirectories(sandboxEtc);
        Files.setPosixFilePermissions(sandboxEtc, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String generated : GENERATED_ETC) {
            Files.copy(etcDir.resolve(generated), sandboxEtc.resolve(generated), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String host : HOST_ETC_DIRS) {
            Files.createDirectories(sandboxEtc.resolve(Path.of(host).getFileName().toString()));
        }
        for (String host : HOST_ETC_FILES) {
            Path inside = sandboxEtc.resolve(Path.of(host).getFileName().toString());
            if (Files.isRegularFile(Path.of(host))) {
                Files.copy(Path.of(host), inside, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(inside);
            }
        }
        // where an egress session's resolver is bound; without egress it stays empty
        Path resolv = sandboxEtc.resolve("resolv.conf");
        if (!Files.exists(resolv)) {
            Files.createFile(resolv);
        }
        try (var files = Files.list(sandboxEtc)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                        Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    @Override
    public Sandbox start(SandboxSpec spec) throws IOException {
        return slots.start("sb-", spec, spec.limits(), (slot, cgroup, prepare, egress) -> {
            Optional<Path> merged = Optional.empty();
            if (spec.container().isPresent()) {
                Path layer = Files.createDirectory(slot.root().resolve("layer"));
                DataVolume.mount(slot.ctl().resolve("layer.img"), layer, 0, slots.diskQuotaBytes());
                merged = Optional.of(Overlay.mount(slot.root(), layer, spec.container().get().rootfs(), slot.uid()));
            }
            SandboxLaunch launch = new SandboxLaunch(slot.ctl(), seccompFile, merged.isPresent()
                    ? containerCommandLine(spec, spec.container().get(), slot.uid(), merged.get())
                    : commandLine(spec, slot.uid(), slot.data(), slot.run()));
            return launch.start(cgroup, prepare, initPid -> {
                SmallLoopback.apply(dialer, initPid);
                egress.prepare(initPid);
            });
        });
    }

    /**
     * What every sandbox gets: its own host uid, every namespace, no capabilities, no nested user
     * namespaces, a new session (no terminal to inject into), and an empty environment.
     */
    private static List<String> isolation(int hostUid, int insideUid, int insideGid) {
        return new ArrayList<>(List.of(
                "/usr/bin/setpriv", "--reuid=" + hostUid, "--regid=" + hostUid, "--clear-groups", "--inh-caps=-all",
                "/usr/bin/bwrap",
                "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-cgroup-try", "--uid", Integer.toString(insideUid), "--gid", Integer.toString(insideGid),
                "--hostname", "sandbox", "--disable-userns", "--new-session", "--cap-drop", "ALL", "--clearenv"));
    }

    /**
     * A custom container: the merged image root as /, the image's user, environment and working
     * directory; a fresh /proc, /dev and a size-capped /tmp. Same namespaces, seccomp and limits
     * as every sandbox; no host file is shown to it.
     *
     * <p>Its stdout and stderr are its console log, a file on the host's disk that the server cuts
     * back every 250 ms: a container writing at full speed put about 280 MiB there in each 250 ms,
     * and without limit while the server is down. No file it writes may grow past the size of its
     * writable layer's volume (RLIMIT_FSIZE; a file on that volume meets ENOSPC first): the write
     * that would gets SIGXFSZ, which ends the writer (busybox's sh, reporting a child so ended on
     * that same console, ends too).
     */
    private List<String> containerCommandLine(SandboxSpec spec, SandboxSpec.ContainerRoot container, int uid, Path merged) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/prlimit",
                "--fsize=" + DataVolume.imageLength(slots.diskQuotaBytes())));
        cmd.addAll(isolation(uid, container.uid(), container.gid()));
        cmd.addAll(List.of(
                "--bind", merged.toString(), "/",
                "--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(config.tmpSize().bytes()), "--tmpfs", "/tmp",
                "--chdir", container.workingDir().isEmpty() ? "/" : container.workingDir()));
        cmd.addAll(resolverBind(spec));
        spec.env().forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        cmd.addAll(List.of("--seccomp", "3", "--info-fd", "4", "--block-fd", "5", "--"));
        cmd.addAll(spec.command());
        return cmd;
    }

    /**
     * A sandbox with egress resolves names through slirp's forwarder, or through its own gate when
     * its allow-list names domains; one without egress has no resolver at all.
     */
    private List<String> resolverBind(SandboxSpec spec) {
        if (spec.egress().isEmpty()) {
            return List.of();
        }
        String file = spec.egress().get().domains().isEmpty() ? "resolv.conf" : "resolv-gated.conf";
        return List.of("--ro-bind", etcDir.resolve(file).toString(), "/etc/resolv.conf");
    }

    private List<String> commandLine(SandboxSpec spec, int uid, Path data, Path run) {
        List<String> cmd = isolation(uid, INSIDE_UID, INSIDE_UID);
        cmd.addAll(List.of(
                "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--ro-bind", sandboxEtc.toString(), "/etc"));
        for (String hostEtc : HOST_ETC_DIRS) {
            cmd.addAll(List.of("--ro-bind-try", hostEtc, hostEtc));
        }
        cmd.addAll(List.of(
                "--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(config.tmpSize().bytes()), "--tmpfs", "/tmp",
                "--bind", data.toString(), Sandbox.DATA_DIR_INSIDE,
                "--bind", run.toString(), Sandbox.RUN_DIR_INSIDE));
        spec.readOnlyBinds().forEach((inside, host) -> cmd.addAll(List.of("--ro-bind", host.toString(), inside)));
        cmd.addAll(resolverBind(spec));
        cmd.addAll(List.of("--chdir", Sandbox.DATA_DIR_INSIDE));
        BUILT_IN_ENV.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        spec.env().forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        cmd.addAll(List.of("--seccomp", "3", "--info-fd", "4", "--block-fd", "5", "--"));
        cmd.addAll(spec.command());
        return cmd;
    }

    @Override
    public java.util.Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits) {
        return slots.adopt(handle, limits);
    }

    @Override
    public void destroy(SandboxHandle handle) {
        if (handle.initStartTicks() > 0 && ProcScan.startTicks(handle.initPid()) == handle.initStartTicks()) {
            LibC.kill(handle.initPid(), LibC.SIGKILL);
        }
        slots.remove(handle.id());
    }

    /**
     * Kills every process in this server's uid range but the kept sandboxes' uids, and removes
     * every cgroup and session directory but theirs.
     */
    @Override
    public void cleanupLeftovers(Set<SandboxHandle> keep) {
        Set<Integer> keptUids = new HashSet<>();
        keep.forEach(handle -> keptUids.add(handle.uid()));
        for (int attempt = 0; attempt < 100; attempt++) {
            var leftovers = ProcScan.processesOwnedBy(uid -> uids.owns(uid) && !keptUids.contains(uid));
            if (leftovers.isEmpty()) {
                break;
            }
            leftovers.forEach(pid -> LibC.kill(pid, LibC.SIGKILL));
            CgroupFiles.sleep(20);
        }
        // every cgroup, gVisor's too: the dispatcher's keep set names the kept sandboxes of both
        slots.removeLeftovers(keep, name -> true);
    }

    @Override
    public void close() {
        dialer.close();
    }

}
