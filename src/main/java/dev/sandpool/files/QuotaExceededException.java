package dev.sandpool.files;

/** An upload that would take the session's files past its disk quota; nothing of it is kept. */
public class QuotaExceededException extends RuntimeException {
    public QuotaExceededException(long quotaBytes) {
        super("the session's files would exceed its disk quota of " + quotaBytes + " bytes; nothing was stored");
    }
}
