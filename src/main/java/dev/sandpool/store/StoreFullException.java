package dev.sandpool.store;

/** SQLite could not write: the disk under the data directory is full. */
public final class StoreFullException extends StoreException {
    StoreFullException(java.sql.SQLException cause) {
        super("the server's disk is full: its database (" + Database.FILE + ") cannot record the change", cause);
    }
}
