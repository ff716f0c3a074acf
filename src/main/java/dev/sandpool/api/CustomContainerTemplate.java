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
 * command, args, env, resources), {@code ingress.targetPort} and {@code registryCredentials}, whose
 * password comes from {@code properties.secrets} and is kept in a root-only file, never in the
 * database or an answer. Env {@code secretRef} is not supported yet.
 */
final class CustomContainerTemplate {
    private CustomContainerTemplate() {}

    static CustomContainerConfig read(JsonNode template, JsonNode secrets, PoolResource.SecretStore store) {
        String where = "properties.customContainerTemplate";
        JsonNode credentials = template.path("registryCredentials");
        String server = null;
        String username = null;
        java.nio.file.Path passwordFile = null;
        if (credentials.isObject()) {
            server = credentials.path("server").asString(null);
            username = credentials.path("username").asString(null);
            String ref = credentials.path("passwordSecretRef").asString("");
            if (server == null || username == null || ref.isEmpty()) {
                throw new InvalidRequestException(where + ".registryCredentials needs server, username and passwordSecretRef");
            }
            String password = null;
            for (JsonNode secret : secrets) {
                if (ref.equals(secret.path("name").asString(""))) {
                    password = secret.path("value").asString(null);
                }
            }
            if (password == null) {
                throw new InvalidRequestException(where + ".registryCredentials.passwordSecretRef: no secret named '" + ref
                        + "' with a value in properties.secrets");
            }
            passwordFile = store.save(ref, password);
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
                env, port.isIntegralNumber() ? port.asInt() : null, server, username, passwordFile, null);
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
        if (container.registryUsername() != null) {
            // the password is never shown, only that a secret holds it
            template.put("registryCredentials", Map.of("server", container.registryServer(), "username",
                    container.registryUsername(), "passwordSecretRef", "registry-password"));
        }
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
