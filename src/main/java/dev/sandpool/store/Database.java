package dev.sandpool.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The server's SQLite file in the data directory, in WAL mode so that reads never wait for the
 * writer. One connection, used under its own lock: the server's write rate is a few rows per
 * session, far below what one connection serves.
 */
public final class Database implements AutoCloseable {
    static final String FILE = "sandpool.db";
    /** How long a statement waits for another connection's lock before it fails with a busy error. */
    static final java.time.Duration BUSY_TIMEOUT = java.time.Duration.ofSeconds(5);
    // SQLite's primary result codes (the low byte of an extended code)
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_FULL = 13;

    private final Connection connection;

    private Database(Connection connection) {
        this.connection = connection;
    }

    public static Database open(Path dataDir) {
        try {
            Path file = dataDir.resolve(FILE);
            // created root-only before SQLite opens it; its -wal and -shm files take the same mode
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT.toMillis());
                s.execute("""
                        CREATE TABLE IF NOT EXISTS pools (
                          name TEXT PRIMARY KEY,
                          config TEXT NOT NULL,
                          created_at TEXT NOT NULL,
                          updated_at TEXT NOT NULL)""");
            }
            return new Database(connection);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the database in " + dataDir, e);
        }
    }

    /** Runs {@code work} with the connection, one caller at a time. */
    public synchronized <T> T with(SqlWork<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw switch (e.getErrorCode() & 0xff) {
                case SQLITE_FULL -> new StoreFullException(e);
                case SQLITE_BUSY, SQLITE_LOCKED -> new StoreBusyException(e);
                default -> new StoreException("database error: " + e.getMessage(), e);
            };
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to protect
        }
    }
}
