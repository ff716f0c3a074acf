package dev.sandpool.cli;

/**
 * A failure the CLI reports as {@code error: <code>: <message>} with its exit code. Messages come
 * from the server or from the CLI itself, never from request headers, so the API key cannot leak
 * through them.
 */
final class CliException extends RuntimeException {
    /** The server answered with an error, or could not be reached. */
    static final int FAILED = 1;
    /** The command line was wrong (picocli uses the same code for its own parse errors). */
    static final int USAGE = 2;

    private final String code;
    private final int exitCode;

    CliException(String code, String message, int exitCode) {
        super(message);
        this.code = code;
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException("InvalidArgument", message, USAGE);
    }

    String code() {
        return code;
    }

    int exitCode() {
        return exitCode;
    }
}
