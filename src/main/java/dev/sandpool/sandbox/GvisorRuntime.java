package dev.sandpool.sandbox;

import dev.sandpool.config.SandboxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Starts sandboxes under gVisor ({@code runsc --platform=ptrace}): the session's code talks to
 * gVisor's user-space kernel, not the host's. Each sandbox still gets its own host uid (its files
 * on the host are that uid's), its own cgroup (joined before runsc starts, so the gofer, the
 * sentry and its stubs are all in it) and its own network namespace, in which every runsc verb
 * runs: without egress runsc uses {@code --network=none}; with egress, {@code --network=host} in
 * that namespace, which {@link EgressNetwork} gives its nftables rules and slirp4netns.
 *
 * <p>Layout: {@code <dataDir>/gvisor-sessions/<id>/} with {@code data/} and {@code run/} as for
 * bubblewrap and {@code ctl/} holding the OCI bundle, runsc's state directory and the console log,
 * so removing the directory removes every trace of runsc.
 */
public final class GvisorRuntime implements SandboxRuntime {
    static final Path RUNSC = Path.of("/usr/bin/runsc");
    static final String ID_PREFIX = "gv-";

    private final GvisorBundle bundles;
    private final NamespaceDialer dialer = new NamespaceDialer(2);
    private final SandboxSlots slots;

    /** Shares bubblewrap's uid range and its generated /etc (hosts, nsswitch.conf, resolv.conf), which must exist. */
    GvisorRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups, UidAllocator uids, long diskQuotaBytes)
            throws IOException {
        BubblewrapRuntime.traversable(dataDir);
        this.slots = new SandboxSlots(dataDir.resolve("gvisor-sessions"), cgroups, uids, dialer, diskQuotaBytes, false);
        Path rootfs = dataDir.resolve("runtime").resolve("gvisor-root");
        this.bundles = new GvisorBundle(rootfs, dataDir.resolve("runtime").resolve("etc"), config.tmpSize());
    }

    /** Whether a sandbox id is one of this runtime's. */
    static boolean owns(String id) {
        return id.startsWith(ID_PREFIX);
    }

    @Override
    public Sandbox start(SandboxSpec spec) throws IOException {
        if (!Files.isExecutable(RUNSC)) {
            throw new IOException("gvisor isolation needs gVisor's runsc at " + RUNSC + " (Debian: apt-get install runsc)");
        }
        if (spec.container().isPresent()) {
            throw new IOException("gvisor isolation does not run custom containers");
        }
        return slots.start(ID_PREFIX, spec, sentryLimits(spec.limits()), (slot, cgroup, prepare, egress) -> {
            prepare.run();
            bundles.write(slot.ctl(), spec, slot.uid(), slot.data(), slot.run());
            return GvisorLaunch.start(slot.ctl(), slot.id(), spec.egress().isPresent(), cgroup, egress);
        });
    }

    /**
     * The cgroup's pids limit is only a backstop: reaching it makes the sentry panic (it cannot make
     * its stub processes) and the whole sandbox dies. The session's own process limit is
     * RLIMIT_NPROC, which gVisor's kernel enforces inside, so a fork fails with EAGAIN as on Linux.
     * Under the ptrace platform each process inside costs the host about a dozen tasks (its stub,
     * the stub threads, the sentry's Go threads): 256 processes inside peaked at 3029 and 3132 host
     * tasks on a quiet machine, and the Go runtime adds threads when the host is busy; hence the margin.
     */
    static ResourceLimits sentryLimits(ResourceLimits session) {
        return new ResourceLimits(session.memory(), session.cpu(), session.pids() * 32 + 256);
    }

    @Override
    public Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits) {
        return slots.adopt(handle, limits);
    }

    /** The cgroup holds every process runsc started; runsc's state is inside the directory. */
    @Override
    public void destroy(SandboxHandle handle) {
        slots.remove(handle.id());
    }

    @Override
    public void cleanupLeftovers(Set<SandboxHandle> keep) {
        slots.removeLeftovers(keep, GvisorRuntime::owns);
    }

    @Override
    public void close() {
        dialer.close();
    }
}
