package dev.sandpool.files;

/** An upload larger than the configured maximum; nothing of it is kept. */
public class FileTooLargeException extends RuntimeException {
    public FileTooLargeException(long maxBytes) {
        super("the upload is larger than the maximum of " + maxBytes + " bytes; nothing was stored");
    }
}
