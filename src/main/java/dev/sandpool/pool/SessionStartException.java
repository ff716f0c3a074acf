package dev.sandpool.pool;

/** No sandbox could be started for a session; the cause says why. */
public class SessionStartException extends RuntimeException {
    public SessionStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
