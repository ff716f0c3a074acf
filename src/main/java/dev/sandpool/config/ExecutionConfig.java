package dev.sandpool.config;

import java.util.Objects;

/**
 * Limits of one code execution. {@code maxOutput} caps stdout and stderr each; {@code interruptGrace}
 * is how long a cell may ignore the timeout interrupt before its sandbox is killed and replaced.
 * {@code stringifyExecutionResult} makes V2's {@code executionResult} always a string, for clients
 * that type it so (Semantic Kernel .NET, which is also detected by its User-Agent).
 */
public record ExecutionConfig(DataSize maxOutput, Integer defaultTimeoutInSeconds, Integer maxTimeoutInSeconds,
                              Integer interruptGraceInSeconds, Boolean stringifyExecutionResult) {
    public static final DataSize DEFAULT_MAX_OUTPUT = DataSize.parse("1Mi");
    public static final int DEFAULT_TIMEOUT = 60;
    public static final int MAX_TIMEOUT = 220;
    public static final int DEFAULT_GRACE = 3;

    public ExecutionConfig {
        maxOutput = Objects.requireNonNullElse(maxOutput, DEFAULT_MAX_OUTPUT);
        defaultTimeoutInSeconds = Objects.requireNonNullElse(defaultTimeoutInSeconds, DEFAULT_TIMEOUT);
        maxTimeoutInSeconds = Objects.requireNonNullElse(maxTimeoutInSeconds, MAX_TIMEOUT);
        interruptGraceInSeconds = Objects.requireNonNullElse(interruptGraceInSeconds, DEFAULT_GRACE);
        stringifyExecutionResult = Objects.requireNonNullElse(stringifyExecutionResult, false);
    }

    public static ExecutionConfig defaults() {
        return new ExecutionConfig(null, null, null, null, null);
    }

    void validate(Validation v) {
        if (maxOutput.bytes() < 1024 || maxOutput.bytes() > (256L << 20)) {
            v.fail("execution.maxOutput", "must be between 1Ki and 256Mi (got " + maxOutput + ")");
        }
        if (maxTimeoutInSeconds < 1) {
            v.fail("execution.maxTimeoutInSeconds", "must be at least 1 (got " + maxTimeoutInSeconds + ")");
        }
        if (defaultTimeoutInSeconds < 1 || defaultTimeoutInSeconds > maxTimeoutInSeconds) {
            v.fail("execution.defaultTimeoutInSeconds", "must be between 1 and maxTimeoutInSeconds ("
                    + maxTimeoutInSeconds + ") (got " + defaultTimeoutInSeconds + ")");
        }
        if (interruptGraceInSeconds < 1 || interruptGraceInSeconds > 60) {
            v.fail("execution.interruptGraceInSeconds", "must be between 1 and 60 (got " + interruptGraceInSeconds + ")");
        }
    }
}
