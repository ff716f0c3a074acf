package dev.sandpool.config;

/** A config the server refuses to start with; the message is meant for the operator, as is. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
