package dev.sandpool.sandbox;

import dev.sandpool.config.Isolation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to run in a new sandbox: the command line as seen inside it, its environment, its limits,
 * host directories to show read-only at the given paths, and, for a custom container, the image's
 * root filesystem to run on instead of the host's /usr, whether it may reach the network, and which
 * kind of sandbox isolates it.
 */
public record SandboxSpec(List<String> command, Map<String, String> env, ResourceLimits limits,
                          Map<String, Path> readOnlyBinds, Optional<ContainerRoot> container, Optional<Egress> egress,
                          Isolation isolation) {

    /**
     * An unpacked image: {@code rootfs} is shared read-only by every session of the image; each
     * session writes to its own layer on top, which goes with the session.
     */
    public record ContainerRoot(Path rootfs, String workingDir, int uid, int gid) {}

    public SandboxSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        readOnlyBinds = Map.copyOf(readOnlyBinds);
    }

    public SandboxSpec(List<String> command, Map<String, String> env, ResourceLimits limits, Map<String, Path> readOnlyBinds) {
        this(command, env, limits, readOnlyBinds, Optional.empty(), Optional.empty(), Isolation.NAMESPACES);
    }

    public SandboxSpec(List<String> command, Map<String, String> env, ResourceLimits limits, Map<String, Path> readOnlyBinds,
                       Optional<ContainerRoot> container) {
        this(command, env, limits, readOnlyBinds, container, Optional.empty(), Isolation.NAMESPACES);
    }

    /** The same sandbox with outbound networking. */
    public SandboxSpec withEgress(Optional<Egress> newEgress) {
        return new SandboxSpec(command, env, limits, readOnlyBinds, container, newEgress, isolation);
    }

    /** The same sandbox, isolated as {@code newIsolation} says. */
    public SandboxSpec withIsolation(Isolation newIsolation) {
        return new SandboxSpec(command, env, limits, readOnlyBinds, container, egress, newIsolation);
    }
}
