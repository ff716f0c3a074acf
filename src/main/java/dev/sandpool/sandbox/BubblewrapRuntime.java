package dev.sandpool.sandbox;

import dev.sandpool.config.SandboxConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sandboxes with bubblewrap, each as its own unprivileged host uid, in fresh user, pid, ipc,
 * uts, mount, cgroup and network namespaces, under the seccomp filter, and inside per-sandbox
 * cgroups joined before the sandbox's command runs.
 *
 * <p>Layout of one sandbox on the host: {@code <dataDir>/sessions/<id>/} (root, 0711) holding
 * {@code data/} (the sandbox's /mnt/data, a {@link DataVolume} of its own), {@code run/} (its
 * /run/sandpool, where the driver's socket lives) and {@code ctl/} (root only: the console log,
 * the start-up FIFOs and the volume's image). A custom container's writable layer is such a
 * volume too, mounted on {@code layer/}.
 */
public final class BubblewrapRuntime implements SandboxRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(BubblewrapRuntime.class);
    static final int INSIDE_UID = 1000;

    private final Path sessionsDir;
    private final Path etcDir;
    private final Path seccompFile;
    private final SandboxConfig config;
    private final CgroupDriver cgroups;
    private final UidAllocator uids;
    private final NamespaceDialer dialer = new NamespaceDialer(4);
    private final long diskQuotaBytes;

    public BubblewrapRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups) throws IOException {
        this(dataDir, config, cgroups, dev.sandpool.config.FilesConfig.DEFAULT_QUOTA.bytes());
    }

    /** {@code diskQuotaBytes} is what each sandbox may write to disk: its /mnt/data or its container layer. */
    public BubblewrapRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups, long diskQuotaBytes)
            throws IOException {
        DataVolume.checkTools();
        this.diskQuotaBytes = diskQuotaBytes;
        this.config = config;
        this.cgroups = cgroups;
        this.uids = new UidAllocator(config.uidBase(), config.uidCount());
        this.sessionsDir = dataDir.resolve("sessions");
        Path runtimeDir = dataDir.resolve("runtime");
        this.etcDir = runtimeDir.resolve("etc");
        this.seccompFile = runtimeDir.resolve("seccomp.bpf");
        traversable(dataDir);
        traversable(sessionsDir);
        traversable(runtimeDir);
        traversable(etcDir);
        writeEtc();
        SeccompFilter.writeTo(seccompFile);
    }

    /** Session uids must pass through these to reach their own directories; they may not list them. */
    private static void traversable(Path dir) throws IOException {
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

    @Override
    public Sandbox start(SandboxSpec spec) throws IOException {
        String id = "sb-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        Path root = sessionsDir.resolve(id);
        int uid = uids.acquire();
        Cgroup cgroup;
        try {
            traversable(root);
            Path data = ownedDir(root.resolve("data"), uid);
            Path run = ownedDir(root.resolve("run"), uid);
            Path ctl = Files.createDirectory(root.resolve("ctl"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            cgroup = cgroups.create(id, spec.limits());
            Optional<Path> merged = Optional.empty();
            if (spec.container().isPresent()) {
                Path layer = Files.createDirectory(root.resolve("layer"));
                DataVolume.mount(ctl.resolve("layer.img"), layer, 0, diskQuotaBytes);
                merged = Optional.of(Overlay.mount(root, layer, spec.container().get().rootfs(), uid));
            } else {
                DataVolume.mount(ctl.resolve("data.img"), data, uid, diskQuotaBytes);
            }
            SandboxLaunch launch = new SandboxLaunch(ctl, seccompFile, merged.isPresent()
                    ? containerCommandLine(spec, spec.container().get(), uid, merged.get())
                    : commandLine(spec, uid, data, run));
            var started = launch.start(cgroup, initPid -> {
                if (spec.egress().isPresent()) {
                    EgressNetwork.attach(initPid, spec.egress().get(), ctl);
                }
            });
            LOG.debug("sandbox {} started as uid {} (init pid {})", id, uid, started.initPid());
            return new BubblewrapSandbox(id, root, data, run, uid, started.process(), started.initPid(),
                    ProcScan.startTicks(started.initPid()), cgroup, spec.limits(), () -> uids.release(uid), dialer);
        } catch (IOException | RuntimeException e) {
            // also a group the driver made but could not set up (a limit the kernel refused)
            cgroups.open(id).remove();
            EgressNetwork.stop(root);
            Mounts.unmountBelow(root);
            Trees.deleteRecursively(root);
            uids.release(uid);
            throw e;
        }
    }

    private static Path ownedDir(Path dir, int uid) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(dir, "unix:uid", uid);
        Files.setAttribute(dir, "unix:gid", uid);
        return dir;
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
     */
    private List<String> containerCommandLine(SandboxSpec spec, SandboxSpec.ContainerRoot container, int uid, Path merged) {
        List<String> cmd = isolation(uid, container.uid(), container.gid());
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
                "--dir", "/etc"));
        for (String hostEtc : List.of("/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime", "/etc/ssl",
                "/etc/mime.types", "/etc/matplotlibrc")) {
            cmd.addAll(List.of("--ro-bind-try", hostEtc, hostEtc));
        }
        for (String generated : List.of("passwd", "group", "hosts", "nsswitch.conf")) {
            cmd.addAll(List.of("--ro-bind", etcDir.resolve(generated).toString(), "/etc/" + generated));
        }
        cmd.addAll(List.of(
                "--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(config.tmpSize().bytes()), "--tmpfs", "/tmp",
                "--bind", data.toString(), Sandbox.DATA_DIR_INSIDE,
                "--bind", run.toString(), Sandbox.RUN_DIR_INSIDE));
        spec.readOnlyBinds().forEach((inside, host) -> cmd.addAll(List.of("--ro-bind", host.toString(), inside)));
        cmd.addAll(resolverBind(spec));
        cmd.addAll(List.of("--chdir", Sandbox.DATA_DIR_INSIDE,
                "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
                "--setenv", "HOME", Sandbox.DATA_DIR_INSIDE,
                "--setenv", "USER", "user",
                "--setenv", "LANG", "C.UTF-8",
                "--setenv", "TMPDIR", "/tmp",
                // caches of libraries (fontconfig, pip...) must not show up among the user's files
                "--setenv", "XDG_CACHE_HOME", "/tmp/.cache",
                "--setenv", "XDG_CONFIG_HOME", "/tmp/.config"));
        spec.env().forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        cmd.addAll(List.of("--seccomp", "3", "--info-fd", "4", "--block-fd", "5", "--"));
        cmd.addAll(spec.command());
        return cmd;
    }

    @Override
    public java.util.Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits) {
        Path root = sessionsDir.resolve(handle.id());
        boolean running = handle.initStartTicks() > 0 && ProcScan.startTicks(handle.initPid()) == handle.initStartTicks();
        if (!running || !Files.isDirectory(root) || !cgroups.existing().contains(handle.id()) || !uids.claim(handle.uid())) {
            return java.util.Optional.empty();
        }
        EgressNetwork.readopt(root, handle.initPid());
        return java.util.Optional.of(new BubblewrapSandbox(handle.id(), root, root.resolve("data"), root.resolve("run"),
                handle.uid(), null, handle.initPid(), handle.initStartTicks(), cgroups.open(handle.id()), limits,
                () -> uids.release(handle.uid()), dialer));
    }

    @Override
    public void destroy(SandboxHandle handle) {
        if (handle.initStartTicks() > 0 && ProcScan.startTicks(handle.initPid()) == handle.initStartTicks()) {
            LibC.kill(handle.initPid(), LibC.SIGKILL);
        }
        cgroups.open(handle.id()).remove();
        EgressNetwork.stop(sessionsDir.resolve(handle.id()));
        Mounts.unmountBelow(sessionsDir.resolve(handle.id()));
        Trees.deleteRecursively(sessionsDir.resolve(handle.id()));
    }

    /**
     * Kills every process in this server's uid range but the kept sandboxes' uids, and removes
     * every cgroup and session directory but theirs.
     */
    @Override
    public void cleanupLeftovers(Set<String> keep) {
        Set<Integer> keptUids = new HashSet<>();
        for (String id : keep) {
            try {
                keptUids.add((Integer) Files.getAttribute(sessionsDir.resolve(id).resolve("data"), "unix:uid",
                        java.nio.file.LinkOption.NOFOLLOW_LINKS));
            } catch (IOException e) {
                // a kept sandbox without its directory has no uid to spare
            }
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            var leftovers = ProcScan.processesOwnedBy(uid -> uids.owns(uid) && !keptUids.contains(uid));
            if (leftovers.isEmpty()) {
                break;
            }
            leftovers.forEach(pid -> LibC.kill(pid, LibC.SIGKILL));
            CgroupFiles.sleep(20);
        }
        for (String name : cgroups.existing()) {
            if (!keep.contains(name)) {
                LOG.info("removing leftover cgroup {}", name);
                cgroups.open(name).remove();
            }
        }
        try (var leftovers = Files.list(sessionsDir)) {
            for (Path dir : leftovers.toList()) {
                if (!keep.contains(dir.getFileName().toString())) {
                    LOG.info("removing leftover session directory {}", dir.getFileName());
                    EgressNetwork.stop(dir);
                    Mounts.unmountBelow(dir);
                    Trees.deleteRecursively(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        dialer.close();
    }

}
