package dev.sandpool.api;

import dev.sandpool.config.CustomContainerConfig;
import dev.sandpool.config.PoolConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code properties.customContainerTemplate} of the ARM resource: {@code containers[0]} (image,
 * command, args, env, resources) and {@code ingress.targetPort}. Secrets (registry credentials,
 * env {@code secretRef}) are refused here: they would have to be stored, which this server does not
 * do yet; such pools are declared in the config file, whose passwords come from files or variables.
 */
final class CustomContainerTemplate {
    private CustomContainerTemplate() {}

    static CustomContainerConfig read(JsonNode template) {
        String where = "properties.customContainerTemplate";
        if (template.has("registryCredentials") && !template.get("registryCredentials").isNull()) {
            throw new InvalidRequestException(where + ".registryCredentials: registry credentials through the management "
                    + "API are not supported yet; declare the pool in the config file");
        }
        JsonNode containers = template.path("containers");
        if (!containers.isArray() || containers.size() != 1) {
            throw new InvalidRequestException(where + ".containers must hold exactly one container");
        }
        JsonNode c = containers.get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : c.path("env")) {
            if (e.has("secretRef")) {
                throw new InvalidRequestException(where + ".containers[0].env: secretRef is not supported yet");
            }
            env.put(e.path("name").asString(""), e.path("value").asString(""));
        }
        JsonNode port = template.path("ingress").path("targetPort");
        return new CustomContainerConfig(c.path("image").isString() ? c.get("image").asString() : null,
                strings(c.path("command"), where + ".containers[0].command"), strings(c.path("args"), where + ".containers[0].args"),
                env, port.isIntegralNumber() ? port.asInt() : null, null, null, null, null);
    }

    static Map<String, Object> write(String name, CustomContainerConfig container, PoolConfig pool) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("image", container.image());
        c.put("name", name);
        c.put("command", container.command());
        c.put("args", container.args());
        List<Map<String, String>> env = new ArrayList<>();
        container.env().forEach((k, v) -> env.add(Map.of("name", k, "value", v)));
        c.put("env", env);
        c.put("resources", PoolResource.ordered("cpu", pool.cpu(), "memory", pool.memory().toString()));
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("containers", List.of(c));
        template.put("ingress", Map.of("targetPort", container.targetPort()));
        return template;
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidRequestException(where + " must be a list of strings");
        }
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asString("")));
        return values;
    }
}
