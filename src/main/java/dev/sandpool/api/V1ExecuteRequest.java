package dev.sandpool.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The body of V1 {@code code/execute} and legacy {@code python/execute}:
 * {@code {"properties":{"codeInputType","executionType","code"|"pythonCode","timeoutInSeconds","identifier"}}}.
 * Parsed by hand from a tree because clients disagree on casing, aliases and which fields they send.
 */
public record V1ExecuteRequest(String code, Optional<Integer> timeoutInSeconds, Optional<String> identifier) {

    public static V1ExecuteRequest parse(JsonNode body) {
        JsonNode properties = body.path("properties");
        if (!properties.isObject()) {
            throw new InvalidRequestException("the request body must be a JSON object with a 'properties' object");
        }
        String inputType = enumValue(properties, "codeInputType", "inline");
        if (!inputType.equals("inline") && !inputType.equals("inlinebase64") && !inputType.equals("inlinetext")) {
            throw new InvalidRequestException("properties.codeInputType must be Inline, InlineBase64 or InlineText");
        }
        String executionType = enumValue(properties, "executionType", "synchronous");
        if (!executionType.equals("synchronous")) {
            throw new InvalidRequestException("properties.executionType must be Synchronous on this API version"
                    + " (asynchronous executions use the 'executions' route of api-version 2024-10-02-preview or later)");
        }
        JsonNode codeNode = properties.has("code") ? properties.get("code") : properties.get("pythonCode");
        if (codeNode == null || codeNode.isNull()) {
            throw new InvalidRequestException("properties.code is required");
        }
        if (!codeNode.isString()) {
            throw new InvalidRequestException("properties.code must be a string");
        }
        String code = codeNode.asString();
        if (inputType.equals("inlinebase64")) {
            try {
                code = new String(Base64.getMimeDecoder().decode(code), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("properties.code is not valid base64 although codeInputType is InlineBase64");
            }
        }
        return new V1ExecuteRequest(code, timeout(properties), optionalString(properties, "identifier"));
    }

    private static String enumValue(JsonNode properties, String field, String fallback) {
        JsonNode node = properties.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isString()) {
            throw new InvalidRequestException("properties." + field + " must be a string");
        }
        return node.asString().toLowerCase(Locale.ROOT);
    }

    private static Optional<Integer> timeout(JsonNode properties) {
        JsonNode node = properties.get("timeoutInSeconds");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1) {
            throw new InvalidRequestException("properties.timeoutInSeconds must be a whole number of seconds, at least 1");
        }
        return Optional.of(node.asInt());
    }

    private static Optional<String> optionalString(JsonNode properties, String field) {
        JsonNode node = properties.get(field);
        return node != null && node.isString() ? Optional.of(node.asString()) : Optional.empty();
    }
}
