package dev.sandpool.sandbox;

import dev.sandpool.config.Isolation;
import dev.sandpool.config.SandboxConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Sends each sandbox to the runtime its pool's isolation names: bubblewrap ({@code namespaces}) or
 * gVisor. Both draw uids from one range and cgroups from one parent; a handle's id says which
 * runtime made it, so adoption and clean-up after a restart need no pool.
 */
public final class IsolatingRuntime implements SandboxRuntime {
    private final BubblewrapRuntime namespaces;
    private final GvisorRuntime gvisor;

    public IsolatingRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups) throws IOException {
        this(dataDir, config, cgroups, dev.sandpool.config.FilesConfig.DEFAULT_QUOTA.bytes());
    }

    /** {@code diskQuotaBytes} is what each sandbox may write to disk (its /mnt/data, a container's layer). */
    public IsolatingRuntime(Path dataDir, SandboxConfig config, CgroupDriver cgroups, long diskQuotaBytes)
            throws IOException {
        UidAllocator uids = new UidAllocator(config.uidBase(), config.uidCount());
        this.namespaces = new BubblewrapRuntime(dataDir, config, cgroups, uids, diskQuotaBytes);
        this.gvisor = new GvisorRuntime(dataDir, config, cgroups, uids, diskQuotaBytes);
    }

    private SandboxRuntime of(Isolation isolation) {
        return isolation == Isolation.GVISOR ? gvisor : namespaces;
    }

    private SandboxRuntime of(SandboxHandle handle) {
        return GvisorRuntime.owns(handle.id()) ? gvisor : namespaces;
    }

    @Override
    public Sandbox start(SandboxSpec spec) throws IOException {
        return of(spec.isolation()).start(spec);
    }

    /** gVisor's first: bubblewrap's clean-up removes every cgroup not kept, whichever runtime made it. */
    @Override
    public void cleanupLeftovers(Set<SandboxHandle> keep) {
        gvisor.cleanupLeftovers(keep);
        namespaces.cleanupLeftovers(keep);
    }

    @Override
    public Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits) {
        return of(handle).adopt(handle, limits);
    }

    @Override
    public void destroy(SandboxHandle handle) {
        of(handle).destroy(handle);
    }

    @Override
    public void close() {
        gvisor.close();
        namespaces.close();
    }
}
