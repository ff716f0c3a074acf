package dev.sandpool.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A CustomContainer pool's container: the image, what to run (command replaces the image's
 * entrypoint, args its cmd, as in Kubernetes), extra environment, and the port its HTTP server
 * listens on inside the session. Secrets (a registry password, environment values in
 * {@code secretEnv}) come from files or the server's environment, never from the config itself.
 *
 * <p>The lifecycle is Azure's: {@code Timed} sessions end after the pool's cooldown of idleness;
 * {@code OnContainerExit} sessions end when the container's main process exits, or
 * {@code maxAlivePeriodInSeconds} after allocation.
 */
public record CustomContainerConfig(String image, List<String> command, List<String> args, Map<String, String> env,
                                    Map<String, Path> secretEnv, Integer targetPort, String registryServer,
                                    String registryUsername, Path registryPasswordFile, String registryPasswordEnv,
                                    Lifecycle lifecycle, Integer maxAlivePeriodInSeconds, List<ProbeConfig> probes) {
    public enum Lifecycle { Timed, OnContainerExit }

    public static final int DEFAULT_MAX_ALIVE_SECONDS = 3600;

    public CustomContainerConfig {
        command = List.copyOf(Objects.requireNonNullElse(command, List.of()));
        args = List.copyOf(Objects.requireNonNullElse(args, List.of()));
        env = Map.copyOf(Objects.requireNonNullElse(env, Map.of()));
        secretEnv = Map.copyOf(Objects.requireNonNullElse(secretEnv, Map.of()));
        lifecycle = Objects.requireNonNullElse(lifecycle, Lifecycle.Timed);
        if (lifecycle == Lifecycle.OnContainerExit) {
            maxAlivePeriodInSeconds = Objects.requireNonNullElse(maxAlivePeriodInSeconds, DEFAULT_MAX_ALIVE_SECONDS);
        }
        probes = List.copyOf(Objects.requireNonNullElse(probes, List.of()));
    }

    /** A Timed container with no secrets in its environment and no probes. */
    public CustomContainerConfig(String image, List<String> command, List<String> args, Map<String, String> env,
                                 Integer targetPort, String registryServer, String registryUsername,
                                 Path registryPasswordFile, String registryPasswordEnv) {
        this(image, command, args, env, null, targetPort, registryServer, registryUsername, registryPasswordFile,
                registryPasswordEnv, null, null, null);
    }

    /** The same container under another lifecycle; null keeps the current one. */
    public CustomContainerConfig withLifecycle(Lifecycle newLifecycle, Integer newMaxAlive) {
        Lifecycle l = Objects.requireNonNullElse(newLifecycle, lifecycle);
        return new CustomContainerConfig(image, command, args, env, secretEnv, targetPort, registryServer, registryUsername,
                registryPasswordFile, registryPasswordEnv, l, l == Lifecycle.Timed ? null : newMaxAlive, probes);
    }

    public java.util.Optional<ProbeConfig> probe(ProbeConfig.Type type) {
        return probes.stream().filter(p -> p.type() == type).findFirst();
    }

    void validate(String where, Validation v) {
        if (image == null || image.isBlank()) {
            v.fail(where + ".image", "is required for a CustomContainer pool");
        }
        if (targetPort == null || targetPort < 1 || targetPort > 65_535) {
            v.fail(where + ".targetPort", "must be between 1 and 65535 (got " + targetPort + ")");
        }
        if (registryUsername != null && (registryPasswordFile == null) == (registryPasswordEnv == null)) {
            v.fail(where + ".registryUsername", "needs exactly one of registryPasswordFile and registryPasswordEnv");
        }
        for (String name : env.keySet()) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                v.fail(where + ".env", "'" + name + "' is not an environment variable name");
            }
        }
        secretEnv.forEach((name, file) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                v.fail(where + ".secretEnv", "'" + name + "' is not an environment variable name");
            } else if (env.containsKey(name)) {
                v.fail(where + ".secretEnv", "'" + name + "' is also set in env");
            }
        });
        if (lifecycle == Lifecycle.Timed && maxAlivePeriodInSeconds != null) {
            v.fail(where + ".maxAlivePeriodInSeconds", "is only for the OnContainerExit lifecycle");
        }
        if (maxAlivePeriodInSeconds != null) {
            ProbeConfig.range(v, where + ".maxAlivePeriodInSeconds", maxAlivePeriodInSeconds, 1, 86_400);
        }
        for (int i = 0; i < probes.size(); i++) {
            probes.get(i).validate(where + ".probes[" + i + "]", v);
        }
        for (ProbeConfig.Type type : ProbeConfig.Type.values()) {
            if (probes.stream().filter(p -> p.type() == type).count() > 1) {
                v.fail(where + ".probes", "at most one " + type + " probe");
            }
        }
    }
}
