package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of every sandbox, whatever isolates it: a directory {@code <sessionsDir>/<id>/}
 * (root, 0711) with {@code volume/data/} (its /mnt/data) and {@code volume/run/} (its
 * /run/sandpool) owned by the sandbox's host uid, {@code ctl/} (root only), a cgroup named after it,
 * and its egress. {@code volume/} is the sandbox's {@link DataVolume}: everything the sandbox can
 * write outside its memory-backed /tmp is on it, so the quota bounds it all; the driver's socket
 * directory was once a plain host directory, where session code could write past the quota onto
 * the host's disk. A custom container binds neither, and gets plain directories. A failed start
 * gives everything back.
 */
final class SandboxSlots {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxSlots.class);

    /** One sandbox's place on the host, before anything runs in it. */
    record Slot(String id, Path root, Path data, Path run, Path ctl, int uid) {}

    /** Where a sandbox's /mnt/data and /run/sandpool are, below its directory. */
    record Layout(Path volume, Path data, Path run) {
        static Layout of(Path root) {
            Path volume = root.resolve("volume");
            return new Layout(volume, volume.resolve("data"), volume.resolve("run"));
        }

        /** The layout of a sandbox found running, which a server from before the volume held both may have started. */
        static Layout found(Path root) {
            if (Files.isDirectory(root.resolve("volume")) || !Files.isDirectory(root.resolve("data"))) {
                return of(root);
            }
            return new Layout(root.resolve("data"), root.resolve("data"), root.resolve("run"));
        }
    }

    /**
     * Starts the sandbox's first process in {@code cgroup}, running {@code prepare} (the slot's
     * volume) before the sandbox's setup begins and {@code egress} before its code may run.
     */
    @FunctionalInterface
    interface Launch {
        SandboxLaunch.Started start(Slot slot, Cgroup cgroup, SandboxLaunch.Prepare prepare,
                                    SandboxLaunch.BeforeRelease egress) throws IOException;
    }

    private final Path sessionsDir;
    private final CgroupDriver cgroups;
    private final UidAllocator uids;
    private final NamespaceDialer dialer;
    private final long diskQuotaBytes;
    private final boolean unmountWhenSettled;

    /**
     * {@code diskQuotaBytes} is what each sandbox may write to disk: its /mnt/data (a {@link DataVolume}).
     * With {@code unmountWhenSettled}, a settled sandbox's mounts leave the host ({@link Sandbox#settle()}).
     */
    SandboxSlots(Path sessionsDir, CgroupDriver cgroups, UidAllocator uids, NamespaceDialer dialer, long diskQuotaBytes,
                 boolean unmountWhenSettled) throws IOException {
        this.diskQuotaBytes = diskQuotaBytes;
        this.unmountWhenSettled = unmountWhenSettled;
        this.sessionsDir = sessionsDir;
        this.cgroups = cgroups;
        this.uids = uids;
        this.dialer = dialer;
        BubblewrapRuntime.traversable(sessionsDir);
    }

    long diskQuotaBytes() {
        return diskQuotaBytes;
    }

    Path dir(String id) {
        return sessionsDir.resolve(id);
    }

    Sandbox start(String idPrefix, SandboxSpec spec, ResourceLimits cgroupLimits, Launch launch) throws IOException {
        String id = idPrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        Path root = sessionsDir.resolve(id);
        int uid = uids.acquire();
        Cgroup cgroup;
        try {
            BubblewrapRuntime.traversable(root);
            Layout layout = Layout.of(root);
            BubblewrapRuntime.traversable(layout.volume());
            Slot slot = new Slot(id, root, layout.data(), layout.run(), Files.createDirectory(root.resolve("ctl"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))), uid);
            if (spec.container().isPresent()) {
                ownedDir(slot.data(), uid);
                ownedDir(slot.run(), uid);
            }
            cgroup = cgroups.create(id, cgroupLimits);
            if (SandboxRuntime.BACKGROUND_START.orElse(false)) {
                cgroup.idle(true);
            }
            var started = launch.start(slot, cgroup, () -> {
                if (spec.container().isEmpty()) {
                    DataVolume.mount(slot.ctl().resolve("data.img"), layout.volume(), 0, diskQuotaBytes);
                    BubblewrapRuntime.traversable(layout.volume());
                    ownedDir(slot.data(), uid);
                    ownedDir(slot.run(), uid);
                }
            }, initPid -> {
                if (spec.egress().isPresent()) {
                    EgressNetwork.attach(initPid, spec.egress().get(), slot.ctl());
                }
            });
            LOG.debug("sandbox {} started as uid {} (first process {})", id, uid, started.initPid());
            return new RunningSandbox(id, root, slot.data(), slot.run(), uid, started.process(), started.initPid(),
                    ProcScan.startTicks(started.initPid()), cgroup, spec.limits(), () -> uids.release(uid), dialer,
                    unmountWhenSettled);
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

    /** The sandbox a previous server process started, if its first process, directory, cgroup and uid are all there. */
    Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits) {
        Path root = sessionsDir.resolve(handle.id());
        boolean running = handle.initStartTicks() > 0 && ProcScan.startTicks(handle.initPid()) == handle.initStartTicks();
        if (!running || !Files.isDirectory(root) || !cgroups.existing().contains(handle.id()) || !uids.claim(handle.uid())) {
            return Optional.empty();
        }
        EgressNetwork.readopt(root, handle.initPid());
        Layout layout = Layout.found(root);
        RunningSandbox sandbox = new RunningSandbox(handle.id(), root, layout.data(), layout.run(), handle.uid(),
                null, handle.initPid(), handle.initStartTicks(), cgroups.open(handle.id()), limits,
                () -> uids.release(handle.uid()), dialer, unmountWhenSettled);
        try {
            sandbox.settleFound();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot adopt {}: {}", sandbox, e.getMessage());
            uids.release(handle.uid());
            return Optional.empty();
        }
        return Optional.of(sandbox);
    }

    /** Kills what is left in the sandbox's cgroup and removes it, its egress, mounts and directory. */
    void remove(String id) {
        cgroups.open(id).remove();
        EgressNetwork.stop(sessionsDir.resolve(id));
        // a sweep at shutdown may meet a sandbox still starting, whose volume is mounted between the
        // look at the mount table and the deletion (EBUSY): look again
        for (int attempt = 1; ; attempt++) {
            Mounts.unmountBelow(sessionsDir.resolve(id));
            try {
                Trees.deleteRecursively(sessionsDir.resolve(id));
                return;
            } catch (java.io.UncheckedIOException e) {
                if (attempt >= 3) {
                    throw e;
                }
                CgroupFiles.sleep(50);
            }
        }
    }

    /** Removes the cgroups {@code mine} names and every sandbox directory here, but the kept sandboxes'. */
    void removeLeftovers(java.util.Set<SandboxHandle> kept, java.util.function.Predicate<String> mine) {
        java.util.Set<String> keep = kept.stream().map(SandboxHandle::id).collect(java.util.stream.Collectors.toSet());
        for (String name : cgroups.existing()) {
            if (mine.test(name) && !keep.contains(name)) {
                LOG.info("removing leftover cgroup {}", name);
                cgroups.open(name).remove();
            }
        }
        try (var leftovers = Files.list(sessionsDir)) {
            for (Path dir : leftovers.toList()) {
                if (!keep.contains(dir.getFileName().toString())) {
                    LOG.info("removing leftover session directory {}", dir.getFileName());
                    remove(dir.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
