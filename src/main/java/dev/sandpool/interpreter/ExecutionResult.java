package dev.sandpool.interpreter;

import tools.jackson.databind.JsonNode;

/**
 * The outcome of one execution. {@code result} is the last expression's value as JSON (a string,
 * number, list, object, the image object, {@code ""} when there is none, or JSON null on failure).
 * {@code sessionLost} says the sandbox had to be dropped: the identifier's next call gets a new one.
 * {@code exitCode} is set for shell commands only.
 */
public record ExecutionResult(boolean success, String stdout, String stderr, JsonNode result, long durationMillis,
                              boolean timedOut, Loss loss, Integer exitCode) {

    /** Why an execution cost the session its sandbox, if it did. */
    public enum Loss { NONE, TIMEOUT_KILLED, MEMORY_LIMIT, PROCESS_LIMIT, DIED }

    public boolean sessionLost() {
        return loss != Loss.NONE;
    }

    public static ExecutionResult lost(String stdout, String message, long durationMillis, Loss loss) {
        return new ExecutionResult(false, stdout, message, tools.jackson.databind.node.NullNode.getInstance(),
                durationMillis, loss == Loss.TIMEOUT_KILLED, loss, loss == Loss.TIMEOUT_KILLED ? 124 : 137);
    }
}
