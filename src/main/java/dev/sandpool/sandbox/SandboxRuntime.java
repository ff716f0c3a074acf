package dev.sandpool.sandbox;

import java.io.IOException;

/** The seam between pools and the way sandboxes are made (bubblewrap here; gVisor or Kubernetes later). */
public interface SandboxRuntime extends AutoCloseable {
    /**
     * Bound to true while a pool starts a ready sandbox that nobody waits for: its cgroup starts
     * idle (the kernel's SCHED_IDLE for the whole group), so that on a busy host executions on live
     * sessions go first, until the pool calls {@link Sandbox#foreground()} once it is ready.
     */
    ScopedValue<Boolean> BACKGROUND_START = ScopedValue.newInstance();

    Sandbox start(SandboxSpec spec) throws IOException;

    /** Removes whatever an earlier, crashed server left: processes, cgroups, directories. */
    default void cleanupLeftovers() {
        cleanupLeftovers(java.util.Set.of());
    }

    /** The same, sparing the sandboxes that were adopted again. */
    void cleanupLeftovers(java.util.Set<SandboxHandle> keep);

    /** The sandbox a previous server process started, if it still runs; empty when it is gone. */
    java.util.Optional<Sandbox> adopt(SandboxHandle handle, ResourceLimits limits);

    /** Ends a sandbox known only by its handle (one that could not be adopted). */
    void destroy(SandboxHandle handle);

    @Override
    default void close() {}
}
