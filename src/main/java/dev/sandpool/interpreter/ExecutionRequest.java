package dev.sandpool.interpreter;

import java.time.Duration;
import java.util.List;

/**
 * One thing to run in a session: a cell of code for the session's interpreter, or (Shell pools) a
 * command run by bash, or an argv, with optional stdin. {@code maxOutputBytes} caps stdout and
 * stderr each.
 */
public record ExecutionRequest(Kind kind, String code, List<String> argv, String stdin, Duration timeout,
                               long maxOutputBytes) {
    public enum Kind { CODE, SHELL }

    public ExecutionRequest {
        argv = argv == null ? null : List.copyOf(argv);
    }

    public ExecutionRequest(String code, Duration timeout, long maxOutputBytes) {
        this(Kind.CODE, code, null, null, timeout, maxOutputBytes);
    }

    public static ExecutionRequest shell(String command, List<String> argv, String stdin, Duration timeout,
                                         long maxOutputBytes) {
        return new ExecutionRequest(Kind.SHELL, command, argv, stdin, timeout, maxOutputBytes);
    }
}
