package dev.sandpool.api;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.CustomContainerConfig;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.Isolation;
import dev.sandpool.config.NetworkStatus;
import dev.sandpool.config.PoolConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A pool as the {@code Microsoft.App/sessionPools} ARM resource (wire-protocol.md 9.1). Sandpool's
 * own settings (cpu, memory, preload) travel in {@code properties.sandpoolConfiguration}. Reading
 * is lenient about read-only fields a client echoes back, and strict about the types of the
 * fields it uses.
 */
public final class PoolResource {
    /** Maps PoolConfig's keys to the resource's property paths, for error messages. */
    private static final Map<String, String> PATHS = Map.ofEntries(
            Map.entry("name", "name"),
            Map.entry("containerType", "properties.containerType"),
            Map.entry("maxConcurrentSessions", "properties.scaleConfiguration.maxConcurrentSessions"),
            Map.entry("readySessionInstances", "properties.scaleConfiguration.readySessionInstances"),
            Map.entry("cooldownPeriodInSeconds", "properties.dynamicPoolConfiguration.cooldownPeriodInSeconds"),
            Map.entry("networkStatus", "properties.sessionNetworkConfiguration.status"),
            Map.entry("cpu", "properties.sandpoolConfiguration.cpu"),
            Map.entry("memory", "properties.sandpoolConfiguration.memory"),
            Map.entry("preload", "properties.sandpoolConfiguration.preload"),
            Map.entry("egressAllowList", "properties.sandpoolConfiguration.egressAllowList"),
            Map.entry("isolation", "properties.sandpoolConfiguration.isolation"),
            Map.entry("container.image", "properties.customContainerTemplate.containers[0].image"),
            Map.entry("container.targetPort", "properties.customContainerTemplate.ingress.targetPort"),
            Map.entry("container.maxAlivePeriodInSeconds",
                    "properties.dynamicPoolConfiguration.lifecycleConfiguration.maxAlivePeriodInSeconds"),
            Map.entry("container", "properties.customContainerTemplate"));

    private PoolResource() {}

    /** Live numbers shown in {@code templateUpdateStatus}. */
    public record Status(int ready, int starting, int allocated, String source, java.util.Optional<String> failure) {}

    /** Keeps a secret's value somewhere safe and returns the file that holds it. Names are checked before. */
    @FunctionalInterface
    public interface SecretStore {
        java.nio.file.Path save(String secretName, String value);

        /** The file of a secret saved earlier, for a PATCH that refers to it without sending its value again. */
        default java.util.Optional<java.nio.file.Path> existing(String secretName) {
            return java.util.Optional.empty();
        }
    }

    /** The config a PUT (from defaults) or PATCH (from {@code base}) describes. */
    public static PoolConfig read(String name, JsonNode body, PoolConfig base) {
        return read(name, body, base, (secret, value) -> {
            throw new InvalidRequestException("secrets are not accepted here");
        });
    }

    public static PoolConfig read(String name, JsonNode body, PoolConfig base, SecretStore secrets) {
        if (!body.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object with 'properties'");
        }
        JsonNode p = body.path("properties");
        if (!p.isMissingNode() && !p.isObject()) {
            throw new InvalidRequestException("properties must be an object");
        }
        ContainerType type = base.containerType();
        if (p.has("containerType")) {
            String text = string(p, "containerType", "properties.containerType");
            type = ContainerType.parse(text).orElseThrow(() -> new InvalidRequestException(
                    "properties.containerType must be PythonLTS, NodeLTS, Shell or CustomContainer (got '" + text + "')"));
        }
        JsonNode scale = p.path("scaleConfiguration");
        int max = integer(scale, "maxConcurrentSessions", "properties.scaleConfiguration", base.maxConcurrentSessions());
        int ready = integer(scale, "readySessionInstances", "properties.scaleConfiguration",
                scale.has("maxConcurrentSessions") && !scale.has("readySessionInstances")
                        ? Math.min(base.readySessionInstances(), max) : base.readySessionInstances());
        JsonNode dynamic = p.path("dynamicPoolConfiguration");
        JsonNode lifecycle = dynamic.path("lifecycleConfiguration");
        CustomContainerConfig.Lifecycle lifecycleType = base.container() == null ? null : base.container().lifecycle();
        for (JsonNode kind : List.of(dynamic.path("executionType"), lifecycle.path("lifecycleType"))) {
            if (!kind.isMissingNode() && !kind.isNull()) {
                lifecycleType = java.util.Arrays.stream(CustomContainerConfig.Lifecycle.values())
                        .filter(l -> l.name().equalsIgnoreCase(kind.asString(""))).findFirst()
                        .orElseThrow(() -> new InvalidRequestException("properties.dynamicPoolConfiguration.lifecycleConfiguration"
                                + ".lifecycleType must be Timed or OnContainerExit (got '" + kind.asString("") + "')"));
            }
        }
        Integer maxAlive = base.container() == null ? null : base.container().maxAlivePeriodInSeconds();
        if (lifecycle.has("maxAlivePeriodInSeconds")) {
            maxAlive = integer(lifecycle, "maxAlivePeriodInSeconds", "properties.dynamicPoolConfiguration.lifecycleConfiguration", 0);
        }
        if (lifecycleType == CustomContainerConfig.Lifecycle.Timed) {
            maxAlive = null;
        }
        int cooldown = integer(lifecycle, "cooldownPeriodInSeconds", "properties.dynamicPoolConfiguration.lifecycleConfiguration",
                integer(dynamic, "cooldownPeriodInSeconds", "properties.dynamicPoolConfiguration", base.cooldownPeriodInSeconds()));
        NetworkStatus network = base.networkStatus();
        JsonNode networkNode = p.path("sessionNetworkConfiguration").path("status");
        if (!networkNode.isMissingNode() && !networkNode.isNull()) {
            String text = networkNode.asString("");
            network = text.equalsIgnoreCase("EgressEnabled") ? NetworkStatus.EgressEnabled
                    : text.equalsIgnoreCase("EgressDisabled") ? NetworkStatus.EgressDisabled
                    : fail("properties.sessionNetworkConfiguration.status must be EgressEnabled or EgressDisabled");
        }
        dev.sandpool.config.CustomContainerConfig container = base.container();
        JsonNode template = p.path("customContainerTemplate");
        // a custom container's resources, where Azure puts them, win over sandpoolConfiguration
        tools.jackson.databind.node.ObjectNode own = p.path("sandpoolConfiguration").isObject()
                ? (tools.jackson.databind.node.ObjectNode) p.path("sandpoolConfiguration").deepCopy()
                : tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (template.isObject()) {
            container = CustomContainerTemplate.read(template, p.path("secrets"), secrets, lifecycleType, maxAlive);
            JsonNode resources = template.path("containers").path(0).path("resources");
            for (String field : List.of("cpu", "memory")) {
                if (resources.has(field)) {
                    own.set(field, resources.get(field));
                }
            }
        }
        if (container != null && !template.isObject()) {
            container = container.withLifecycle(lifecycleType, maxAlive);
        } else if (container == null && lifecycleType == CustomContainerConfig.Lifecycle.OnContainerExit) {
            throw new InvalidRequestException("the OnContainerExit lifecycle is for CustomContainer pools; "
                    + "code interpreter sessions end after their cooldown (Timed)");
        }
        double cpu = base.cpu();
        if (own.has("cpu")) {
            if (!own.get("cpu").isNumber()) {
                throw new InvalidRequestException("properties.sandpoolConfiguration.cpu must be a number of cores");
            }
            cpu = own.get("cpu").asDouble();
        }
        DataSize memory = base.memory();
        if (own.has("memory")) {
            try {
                JsonNode value = own.get("memory");
                if (value.isNumber() && !(value.isIntegralNumber() && value.canConvertToLong())) {
                    throw new InvalidRequestException("properties.sandpoolConfiguration.memory must be a whole number "
                            + "of bytes or a size such as 2Gi");
                }
                memory = value.isNumber() ? DataSize.ofBytes(value.asLong()) : DataSize.parse(value.asString(""));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("properties.sandpoolConfiguration.memory: " + e.getMessage());
            }
        }
        List<String> preload = strings(own, "preload", "module names", base.preload());
        List<String> allowList = strings(own, "egressAllowList", "CIDRs and domain names", base.egressAllowList());
        Isolation isolation = base.isolation();
        if (own.has("isolation")) {
            isolation = Isolation.parse(own.get("isolation").asString("")).orElseThrow(() -> new InvalidRequestException(
                    "properties.sandpoolConfiguration.isolation must be namespaces or gvisor"));
        }
        PoolConfig pool = new PoolConfig(name, type, max, ready, cooldown, network, cpu, memory, preload, container, allowList,
                isolation);
        List<String> problems = pool.problems().stream().map(PoolResource::toResourcePath).toList();
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(String.join("; ", problems));
        }
        return pool;
    }

    private static String toResourcePath(String problem) {
        int colon = problem.indexOf(':');
        String key = colon < 0 ? problem : problem.substring(0, colon);
        String path = PATHS.containsKey(key) ? PATHS.get(key)
                : key.startsWith("container.") ? "properties.customContainerTemplate.containers[0]." + key.substring(10) : key;
        return path + (colon < 0 ? "" : problem.substring(colon));
    }

    public static Map<String, Object> write(PoolConfig pool, String endpoint, Status status) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("environmentId", null);
        properties.put("poolManagementType", "Dynamic");
        properties.put("containerType", pool.containerType().name());
        properties.put("scaleConfiguration", ordered("maxConcurrentSessions", pool.maxConcurrentSessions(),
                "readySessionInstances", pool.readySessionInstances()));
        boolean onExit = pool.container() != null && pool.container().lifecycle() == CustomContainerConfig.Lifecycle.OnContainerExit;
        Map<String, Object> dynamic = ordered("executionType", onExit ? "OnContainerExit" : "Timed",
                "cooldownPeriodInSeconds", pool.cooldownPeriodInSeconds());
        dynamic.put("lifecycleConfiguration", onExit
                ? ordered("lifecycleType", "OnContainerExit", "maxAlivePeriodInSeconds", pool.container().maxAlivePeriodInSeconds())
                : ordered("lifecycleType", "Timed", "cooldownPeriodInSeconds", pool.cooldownPeriodInSeconds()));
        properties.put("dynamicPoolConfiguration", dynamic);
        properties.put("sessionNetworkConfiguration", Map.of("status", pool.networkStatus().name()));
        if (pool.container() != null) {
            properties.put("customContainerTemplate", CustomContainerTemplate.write(pool.name(), pool.container(), pool));
        }
        Map<String, Object> own = ordered("cpu", pool.cpu(), "memory", pool.memory().toString());
        own.put("preload", pool.preload());
        own.put("egressAllowList", pool.egressAllowList());
        own.put("isolation", pool.isolation().key());
        own.put("source", status.source());
        properties.put("sandpoolConfiguration", own);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("expectedCount", pool.readySessionInstances());
        counts.put("readyCount", status.ready());
        counts.put("pendingCount", status.starting());
        counts.put("allocatedCount", status.allocated());
        properties.put("templateUpdateStatus", Map.of("activeTemplate", Map.of("status", counts)));
        properties.put("poolManagementEndpoint", endpoint);
        properties.put("provisioningState", status.failure().isPresent() ? "Failed" : "Succeeded");
        status.failure().ifPresent(reason -> own.put("failureReason", reason));
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("id", "/subscriptions/local/resourceGroups/sandpool/providers/Microsoft.App/sessionPools/" + pool.name());
        resource.put("name", pool.name());
        resource.put("type", "Microsoft.App/sessionPools");
        resource.put("location", "local");
        resource.put("properties", properties);
        return resource;
    }

    /** A two-entry map that keeps its order, as Azure's field order is kept in answers. */
    public static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    private static String string(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (!value.isString()) {
            throw new InvalidRequestException(path + " must be a string");
        }
        return value.asString();
    }

    private static int integer(JsonNode node, String field, String path, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new InvalidRequestException(path + "." + field + " must be a whole number");
        }
        return value.asInt();
    }

    private static <T> T fail(String message) {
        throw new InvalidRequestException(message);
    }

    /** {@code sandpoolConfiguration.<field>}, a list of strings, or {@code base} when the field is absent. */
    private static List<String> strings(JsonNode own, String field, String what, List<String> base) {
        if (!own.has(field)) {
            return base;
        }
        if (!own.get(field).isArray()) {
            throw new InvalidRequestException("properties.sandpoolConfiguration." + field + " must be a list of " + what);
        }
        List<String> values = new ArrayList<>();
        for (JsonNode entry : own.get(field)) {
            values.add(entry.asString(""));
        }
        return values;
    }
}
