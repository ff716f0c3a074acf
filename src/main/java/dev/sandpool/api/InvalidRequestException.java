package dev.sandpool.api;

/** A request body the contract does not allow; the message says which field and why. */
public class InvalidRequestException extends IllegalArgumentException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
