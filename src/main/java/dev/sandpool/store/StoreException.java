package dev.sandpool.store;

/** The database failed; the message says what the server was doing. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
