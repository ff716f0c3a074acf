package dev.sandpool.api;

import dev.sandpool.interpreter.ExecutionResult;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/** The V2 execution resource, as {@code POST executions} and {@code GET executions/{id}} return it. */
public final class V2Execution {
    private V2Execution() {}

    /**
     * @param shell      Shell pools put the exit code, as a string, in {@code status}
     * @param stringify  give {@code executionResult} as a string (Semantic Kernel .NET types it so)
     * @param maxLength  {@code outputStreamsMaxLength}: stdout and stderr are cut to this many characters
     */
    public static Map<String, Object> of(String id, String identifier, String executionType, ExecutionResult result,
                                         boolean shell, boolean stringify, boolean jupyter, Integer maxLength) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("$id", "1");
        body.put("id", id);
        body.put("identifier", identifier);
        if (executionType != null) {
            body.put("executionType", executionType);
        }
        if (result == null) {
            body.put("status", "Running");
            return body;
        }
        body.put("status", shell ? Integer.toString(result.exitCode() == null ? -1 : result.exitCode())
                : result.success() ? "Succeeded" : "Failed");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("$id", "2");
        inner.put("stdout", cut(result.stdout(), maxLength));
        inner.put("stderr", cut(result.stderr(), maxLength));
        if (!shell) {
            inner.put("executionResult", executionResult(result.result(), stringify, jupyter));
        }
        inner.put("executionTimeInMilliseconds", result.durationMillis());
        body.put("result", inner);
        return body;
    }

    private static String cut(String text, Integer maxLength) {
        return maxLength == null || text.length() <= maxLength ? text : text.substring(0, maxLength);
    }

    private static Object executionResult(JsonNode value, boolean stringify, boolean jupyter) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isString()) {
            String s = value.asString();
            return jupyter && !s.isEmpty() ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : s;
        }
        return stringify ? StringNode.valueOf(value.isValueNode() ? value.asString() : value.toString()) : value;
    }
}
