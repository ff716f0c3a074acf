package dev.sandpool.sandbox;

import java.util.List;
import java.util.Map;

/**
 * What to run in a new sandbox: the command line as seen inside it, its environment, its limits,
 * and host directories to show read-only at the given paths.
 */
public record SandboxSpec(List<String> command, Map<String, String> env, ResourceLimits limits,
                          Map<String, java.nio.file.Path> readOnlyBinds) {
    public SandboxSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        readOnlyBinds = Map.copyOf(readOnlyBinds);
    }
}
