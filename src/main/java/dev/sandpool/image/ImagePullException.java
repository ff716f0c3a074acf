package dev.sandpool.image;

/**
 * An image could not be pulled or unpacked. The message says what failed, with the tool's own words
 * (trimmed, credentials removed), and is meant to be shown as a pool's failure reason as is.
 */
public class ImagePullException extends Exception {

    /** What kind of failure, for callers that react differently (retry later, or not). */
    public enum Reason {
        /** the registry or the file has no such image or tag */
        NOT_FOUND,
        /** the registry refused the credentials, or wants some */
        UNAUTHORIZED,
        /** nothing answered: connection refused, no such host, TLS failure */
        UNREACHABLE,
        /** the pull did not finish within its timeout */
        TIMEOUT,
        /** the image is malformed, for another platform, or its user cannot be resolved */
        INVALID_IMAGE,
        /** umoci could not unpack the layers, or the disk refused them */
        UNPACK_FAILED,
        /** anything else */
        OTHER
    }

    private final Reason reason;

    public ImagePullException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImagePullException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
