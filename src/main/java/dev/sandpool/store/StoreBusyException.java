package dev.sandpool.store;

/** Another process held the database locked for longer than the busy timeout. */
public final class StoreBusyException extends StoreException {
    StoreBusyException(java.sql.SQLException cause) {
        super("the server's database (" + Database.FILE + ") stayed locked by another process for longer than "
                + Database.BUSY_TIMEOUT.toSeconds() + " s; nothing was changed, try again", cause);
    }
}
