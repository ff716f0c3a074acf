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
 * database or an answer; env entries with a {@code secretRef} are kept the same way. The lifecycle
 * ({@code dynamicPoolConfiguration.lifecycleConfiguration}) travels with the container, the only
 * kind of session that can use {@code OnContainerExit}.
 */
final class CustomContainerTemplate {
    private CustomContainerTemplate() {}

    private static final tools.jackson.databind.ObjectMapper PROBES = tools.jackson.databind.json.JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(tools.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(tools.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    static CustomContainerConfig read(JsonNode template, JsonNode secrets, PoolResource.SecretStore store,
                                      CustomContainerConfig.Lifecycle lifecycle, Integer maxAlive) {
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
            passwordFile = secretFile(secrets, store, ref, where + ".registryCredentials.passwordSecretRef");
        }
        JsonNode containers = template.path("containers");
        if (!containers.isArray() || containers.size() != 1) {
            throw new InvalidRequestException(where + ".containers must hold exactly one container");
        }
        JsonNode c = containers.get(0);
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, java.nio.file.Path> secretEnv = new LinkedHashMap<>();
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asString("");
            String ref = e.path("secretRef").asString("");
            if (!ref.isEmpty()) {
                secretEnv.put(name, secretFile(secrets, store, ref, where + ".containers[0].env[" + name + "].secretRef"));
            } else {
                env.put(name, e.path("value").asString(""));
            }
        }
        List<dev.sandpool.config.ProbeConfig> probes = new ArrayList<>();
        JsonNode probeNodes = c.path("probes");
        if (!probeNodes.isMissingNode() && !probeNodes.isNull() && !probeNodes.isArray()) {
            throw new InvalidRequestException(where + ".containers[0].probes must be a list");
        }
        for (JsonNode probe : probeNodes) {
            try {
                probes.add(PROBES.treeToValue(probe, dev.sandpool.config.ProbeConfig.class));
            } catch (tools.jackson.core.JacksonException e) {
                throw new InvalidRequestException(where + ".containers[0].probes: " + e.getOriginalMessage());
            }
        }
        JsonNode port = template.path("ingress").path("targetPort");
        return new CustomContainerConfig(c.path("image").isString() ? c.get("image").asString() : null,
                strings(c.path("command"), where + ".containers[0].command"), strings(c.path("args"), where + ".containers[0].args"),
                env, secretEnv, port.isIntegralNumber() && port.canConvertToInt() ? port.asInt() : null, server, username, passwordFile, null,
                lifecycle, maxAlive, probes);
    }

    private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

    /**
     * The file holding the secret named {@code ref}: saved from {@code properties.secrets} when the
     * request sends its value, or the one saved before (answers never show values, so a client that
     * echoes a pool back cannot send them again).
     */
    private static java.nio.file.Path secretFile(JsonNode secrets, PoolResource.SecretStore store, String ref, String where) {
        if (!SECRET_NAME.matcher(ref).matches() || ref.contains("..")) {
            throw new InvalidRequestException(where + ": '" + ref + "' is not a secret name (lowercase letters, digits, "
                    + "'-' and '.', starting and ending with a letter or digit)");
        }
        for (JsonNode secret : secrets) {
            if (ref.equals(secret.path("name").asString("")) && secret.path("value").isString()) {
                return store.save(ref, secret.path("value").asString());
            }
        }
        return store.existing(ref).orElseThrow(() -> new InvalidRequestException(
                where + ": no secret named '" + ref + "' with a value in properties.secrets"));
    }

    static Map<String, Object> write(String name, CustomContainerConfig container, PoolConfig pool) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("image", container.image());
        c.put("name", name);
        c.put("command", container.command());
        c.put("args", container.args());
        List<Map<String, String>> env = new ArrayList<>();
        container.env().forEach((k, v) -> env.add(Map.of("name", k, "value", v)));
        // the secret's name is its file's name; the value is never shown
        container.secretEnv().forEach((k, file) -> env.add(Map.of("name", k, "secretRef", file.getFileName().toString())));
        c.put("env", env);
        c.put("probes", container.probes());
        c.put("resources", PoolResource.ordered("cpu", pool.cpu(), "memory", pool.memory().toString()));
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("containers", List.of(c));
        template.put("ingress", Map.of("targetPort", container.targetPort()));
        if (container.registryUsername() != null) {
            // the password is never shown, only that a secret holds it
            template.put("registryCredentials", Map.of("server", container.registryServer(), "username",
                    container.registryUsername(), "passwordSecretRef", container.registryPasswordFile() != null
                    ? container.registryPasswordFile().getFileName().toString() : "registry-password"));
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
