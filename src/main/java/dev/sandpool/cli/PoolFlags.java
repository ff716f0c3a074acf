package dev.sandpool.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pool flags of {@code az containerapp sessionpool create|update} and the ARM body they make
 * (wire-protocol.md 9.1, 9.2). Only flags the user gave are sent, so that an update changes nothing
 * else and a create leaves the rest to the server's defaults.
 */
final class PoolFlags {
    @Option(names = "--container-type", paramLabel = "TYPE",
            description = "PythonLTS (default on create), NodeLTS, Shell or CustomContainer")
    String containerType;

    @Option(names = "--max-sessions", paramLabel = "N", description = "maximum concurrent sessions (server default 10)")
    Integer maxSessions;

    @Option(names = "--ready-sessions", paramLabel = "N", description = "sessions kept warm, at most --max-sessions (server default 5)")
    Integer readySessions;

    @Option(names = "--cooldown-period", paramLabel = "SECONDS", description = "idle time before a session is destroyed (server default 300)")
    Integer cooldownPeriod;

    @Option(names = "--network-status", paramLabel = "STATUS", description = "EgressDisabled (default) or EgressEnabled")
    String networkStatus;

    @Option(names = "--cpu", paramLabel = "CORES", description = "CPU per session, in cores, e.g. 0.5")
    Double cpu;

    @Option(names = "--memory", paramLabel = "SIZE", description = "memory per session, e.g. 512Mi or 1Gi")
    String memory;

    @Option(names = "--preload", paramLabel = "MODULE", arity = "1..*",
            description = "Python or Node modules each ready session loads in advance (Sandpool's own setting)")
    List<String> preload;

    @Option(names = "--isolation", paramLabel = "MODE",
            description = "namespaces (bubblewrap, default) or gvisor (Sandpool's own setting; not for custom containers)")
    String isolation;

    // Custom containers: shaped as Azure's customContainerTemplate. The server does not run them yet
    // and answers 400; sending the real shape keeps the CLI right for when it does.
    @Option(names = "--image", paramLabel = "IMAGE", description = "custom container image")
    String image;

    @Option(names = "--container-name", paramLabel = "NAME", description = "custom container name (default: the pool's name)")
    String containerName;

    @Option(names = "--target-port", paramLabel = "PORT", description = "custom container ingress port")
    Integer targetPort;

    @Option(names = "--env-vars", paramLabel = "NAME=VALUE", arity = "1..*", description = "custom container environment")
    List<String> envVars;

    @Option(names = "--command", paramLabel = "ARG", arity = "1..*", description = "custom container command")
    List<String> command;

    @Option(names = "--args", paramLabel = "ARG", arity = "1..*", description = "custom container arguments")
    List<String> args;

    @Option(names = "--registry-server", paramLabel = "HOST", description = "registry of a private custom container image")
    String registryServer;

    @Option(names = "--registry-username", paramLabel = "USER", description = "registry user")
    String registryUsername;

    @Option(names = "--registry-password", paramLabel = "PASSWORD",
            description = "registry password (sent as a pool secret, referenced by name)")
    String registryPassword;

    boolean customContainer() {
        return "CustomContainer".equalsIgnoreCase(containerType) || image != null || containerName != null
                || targetPort != null || envVars != null || command != null || args != null
                || registryServer != null || registryUsername != null || registryPassword != null;
    }

    /**
     * The body of a PUT ({@code create}: the container type defaults to PythonLTS, or to
     * CustomContainer when an image is given) or of a PATCH (only the given fields).
     */
    ObjectNode body(String name, boolean create) {
        ObjectNode body = Output.JSON.createObjectNode();
        ObjectNode p = body.putObject("properties");
        boolean custom = customContainer();
        String type = containerType != null ? containerType : create ? (custom ? "CustomContainer" : "PythonLTS") : null;
        if (type != null) {
            p.put("containerType", type);
        }
        if (create) {
            p.put("poolManagementType", "Dynamic");
        }
        if (maxSessions != null || readySessions != null) {
            ObjectNode scale = p.putObject("scaleConfiguration");
            putIfGiven(scale, "maxConcurrentSessions", maxSessions);
            putIfGiven(scale, "readySessionInstances", readySessions);
        }
        if (cooldownPeriod != null) {
            p.putObject("dynamicPoolConfiguration").putObject("lifecycleConfiguration")
                    .put("lifecycleType", "Timed").put("cooldownPeriodInSeconds", cooldownPeriod);
        }
        if (networkStatus != null) {
            p.putObject("sessionNetworkConfiguration").put("status", networkStatus);
        }
        if (custom) {
            customContainerTemplate(name, p);
        } else if (cpu != null || memory != null || preload != null) {
            ObjectNode own = p.putObject("sandpoolConfiguration");
            if (cpu != null) {
                own.put("cpu", cpu);
            }
            if (memory != null) {
                own.put("memory", memory);
            }
            if (preload != null) {
                ArrayNode modules = own.putArray("preload");
                preload.forEach(modules::add);
            }
        }
        if (isolation != null) {
            // sent for custom containers too: the server's 400 says why they cannot have it
            (p.get("sandpoolConfiguration") instanceof ObjectNode own ? own : p.putObject("sandpoolConfiguration"))
                    .put("isolation", isolation);
        }
        return body;
    }

    /** Azure's shape: {@code containers[0]}, {@code ingress}, and the registry password as a secret. */
    private void customContainerTemplate(String name, ObjectNode p) {
        ObjectNode template = p.putObject("customContainerTemplate");
        ObjectNode container = template.putArray("containers").addObject();
        if (image != null) {
            container.put("image", image);
        }
        container.put("name", containerName != null ? containerName : name);
        if (command != null) {
            ArrayNode list = container.putArray("command");
            command.forEach(list::add);
        }
        if (args != null) {
            ArrayNode list = container.putArray("args");
            args.forEach(list::add);
        }
        if (envVars != null) {
            ArrayNode env = container.putArray("env");
            for (String pair : envVars) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw CliException.usage("--env-vars takes NAME=VALUE pairs (got '" + pair + "')");
                }
                env.addObject().put("name", pair.substring(0, eq)).put("value", pair.substring(eq + 1));
            }
        }
        if (cpu != null || memory != null) {
            ObjectNode resources = container.putObject("resources");
            if (cpu != null) {
                resources.put("cpu", cpu);
            }
            if (memory != null) {
                resources.put("memory", memory);
            }
        }
        if (targetPort != null) {
            template.putObject("ingress").put("targetPort", targetPort);
        }
        if (registryServer != null || registryUsername != null || registryPassword != null) {
            ObjectNode registry = template.putObject("registryCredentials");
            if (registryServer != null) {
                registry.put("server", registryServer);
            }
            if (registryUsername != null) {
                registry.put("username", registryUsername);
            }
            if (registryPassword != null) {
                String secret = secretName(registryServer);
                registry.put("passwordSecretRef", secret);
                p.putArray("secrets").addObject().put("name", secret).put("value", registryPassword);
            }
        }
    }

    /** Like az: a secret named after the registry, in the characters secret names allow. */
    static String secretName(String registryServer) {
        String base = registryServer == null ? "registry" : registryServer.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return (base.isEmpty() ? "registry" : base) + "-password";
    }

    private static void putIfGiven(ObjectNode node, String field, Integer value) {
        if (value != null) {
            node.put(field, value.intValue());
        }
    }
}
