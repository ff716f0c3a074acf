package dev.sandpool.sandbox;

import java.io.IOException;

/** The seam between pools and the way sandboxes are made (bubblewrap here; gVisor or Kubernetes later). */
public interface SandboxRuntime extends AutoCloseable {
    Sandbox start(SandboxSpec spec) throws IOException;

    /** Removes whatever an earlier, crashed server left: processes, cgroups, directories. */
    void cleanupLeftovers();

    @Override
    default void close() {}
}
