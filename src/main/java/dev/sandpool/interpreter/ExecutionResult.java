package dev.sandpool.interpreter;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * The outcome of one execution. {@code result} is the last expression's value as JSON (a string,
 * number, list, object, the image object, {@code ""} when there is none, or JSON null on failure).
 * {@code sessionLost} says the sandbox had to be dropped: the identifier's next call gets a new one.
 * {@code exitCode} is set for shell commands only.
 */
public record ExecutionResult(boolean success, String stdout, String stderr, JsonNode result, long durationMillis,
                              boolean timedOut, boolean sessionLost, Integer exitCode) {

    public static ExecutionResult lost(String stdout, String message, long durationMillis, boolean timedOut) {
        return new ExecutionResult(false, stdout, message, tools.jackson.databind.node.NullNode.getInstance(),
                durationMillis, timedOut, true, timedOut ? 124 : 137);
    }

    public static ExecutionResult emptySuccess() {
        return new ExecutionResult(true, "", "", StringNode.valueOf(""), 0, false, false, null);
    }
}
