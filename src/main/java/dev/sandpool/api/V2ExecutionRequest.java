package dev.sandpool.api;

import dev.sandpool.config.ContainerType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The flat body of V2 {@code POST executions}. Interpreter pools take {@code code}; Shell pools take
 * {@code shellCommand} or {@code execCommandAndArgs} (plus {@code stdin}), and also accept
 * {@code code} as a command. {@code codeInputType}/{@code executionType} are optional (LangChain's
 * Bash tool omits them) and case-insensitive.
 */
public record V2ExecutionRequest(String code, List<String> argv, String stdin, boolean asynchronous,
                                 Optional<String> executionTypeAsSent, Optional<Integer> timeoutInSeconds,
                                 Optional<Integer> outputStreamsMaxLength, boolean jupyterFormat) {

    public static V2ExecutionRequest parse(JsonNode body, ContainerType type) {
        String inputType = lower(body, "codeInputType", "inline");
        if (!List.of("inline", "inlinebase64", "inlinetext").contains(inputType)) {
            throw new InvalidRequestException("codeInputType must be Inline, InlineBase64 or InlineText");
        }
        Optional<String> executionType = text(body, "executionType");
        String kind = executionType.map(s -> s.toLowerCase(Locale.ROOT)).orElse("synchronous");
        if (!kind.equals("synchronous") && !kind.equals("asynchronous")) {
            throw new InvalidRequestException("executionType must be Synchronous or Asynchronous");
        }
        Optional<String> code = text(body, "code");
        Optional<String> shellCommand = text(body, "shellCommand");
        List<String> argv = argv(body);
        if (type != ContainerType.Shell && (shellCommand.isPresent() || argv != null)) {
            throw new InvalidRequestException("shellCommand and execCommandAndArgs are only for Shell pools; this pool is " + type);
        }
        if (shellCommand.isPresent() && argv != null) {
            throw new InvalidRequestException("shellCommand and execCommandAndArgs cannot be combined");
        }
        String source = shellCommand.or(() -> code).orElse(null);
        if (source == null && argv == null) {
            throw new InvalidRequestException(type == ContainerType.Shell
                    ? "shellCommand (or execCommandAndArgs) is required" : "code is required");
        }
        if (source != null && inputType.equals("inlinebase64")) {
            try {
                source = new String(Base64.getMimeDecoder().decode(source), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("code is not valid base64 although codeInputType is InlineBase64");
            }
        }
        boolean jupyter = bool(body, "returnJupyterFormatExecutionResult") || bool(body, "returnJupyterFormat");
        return new V2ExecutionRequest(source, argv, text(body, "stdin").orElse(null), kind.equals("asynchronous"),
                executionType, positive(body, "timeoutInSeconds"), positive(body, "outputStreamsMaxLength"), jupyter);
    }

    private static List<String> argv(JsonNode body) {
        JsonNode node = body.get("execCommandAndArgs");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new InvalidRequestException("execCommandAndArgs must be a non-empty array of strings");
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode arg : node) {
            if (!arg.isString()) {
                throw new InvalidRequestException("execCommandAndArgs must be a non-empty array of strings");
            }
            argv.add(arg.asString());
        }
        return argv;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isString()) {
            throw new InvalidRequestException(field + " must be a string");
        }
        return Optional.of(node.asString());
    }

    private static String lower(JsonNode body, String field, String fallback) {
        return text(body, field).map(s -> s.toLowerCase(Locale.ROOT)).orElse(fallback);
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && node.asBoolean(false);
    }

    private static Optional<Integer> positive(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1) {
            throw new InvalidRequestException(field + " must be a whole number, at least 1");
        }
        return Optional.of(node.asInt());
    }
}
