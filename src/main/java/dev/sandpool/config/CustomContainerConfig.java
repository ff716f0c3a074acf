package dev.sandpool.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A CustomContainer pool's container: the image, what to run (command replaces the image's
 * entrypoint, args its cmd, as in Kubernetes), extra environment, and the port its HTTP server
 * listens on inside the session. A registry password comes from a file or an environment variable,
 * never from the config itself.
 */
public record CustomContainerConfig(String image, List<String> command, List<String> args, Map<String, String> env,
                                    Integer targetPort, String registryServer, String registryUsername,
                                    Path registryPasswordFile, String registryPasswordEnv) {
    public CustomContainerConfig {
        command = List.copyOf(Objects.requireNonNullElse(command, List.of()));
        args = List.copyOf(Objects.requireNonNullElse(args, List.of()));
        env = Map.copyOf(Objects.requireNonNullElse(env, Map.of()));
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
    }
}
