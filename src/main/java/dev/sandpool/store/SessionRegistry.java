package dev.sandpool.store;

import dev.sandpool.sandbox.SandboxHandle;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Allocated sessions, so that a restarted server finds them again. Identifiers are stored only as
 * hashes: the registry can match a caller's identifier but never reveals one.
 */
public final class SessionRegistry {
    private final Database db;

    public record Entry(String pool, String identifierHash, SandboxHandle sandbox, Instant createdAt) {}

    public SessionRegistry(Database db) {
        this.db = db;
        db.with(c -> {
            try (var s = c.createStatement()) {
                s.execute("""
                        CREATE TABLE IF NOT EXISTS sessions (
                          pool TEXT NOT NULL,
                          identifier_hash TEXT NOT NULL,
                          sandbox_id TEXT NOT NULL,
                          uid INTEGER NOT NULL,
                          init_pid INTEGER NOT NULL,
                          init_start INTEGER NOT NULL,
                          created_at TEXT NOT NULL,
                          PRIMARY KEY (pool, identifier_hash))""");
            }
            return null;
        });
    }

    public void put(Entry e) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO sessions (pool, identifier_hash, sandbox_id, uid, init_pid, init_start, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(pool, identifier_hash) DO UPDATE SET sandbox_id = excluded.sandbox_id, uid = excluded.uid,
                      init_pid = excluded.init_pid, init_start = excluded.init_start""")) {
                s.setString(1, e.pool());
                s.setString(2, e.identifierHash());
                s.setString(3, e.sandbox().id());
                s.setInt(4, e.sandbox().uid());
                s.setLong(5, e.sandbox().initPid());
                s.setLong(6, e.sandbox().initStartTicks());
                s.setString(7, e.createdAt().toString());
                return s.executeUpdate();
            }
        });
    }

    public void remove(String pool, String identifierHash) {
        remove(pool, identifierHash, "");
    }

    /** Removes the identifier's row if it still names sandbox {@code sandboxId} ({@code ""}: whichever it names). */
    public void remove(String pool, String identifierHash, String sandboxId) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM sessions WHERE pool = ? AND identifier_hash = ? AND (? = '' OR sandbox_id = ?)")) {
                s.setString(1, pool);
                s.setString(2, identifierHash);
                s.setString(3, sandboxId);
                s.setString(4, sandboxId);
                return s.executeUpdate();
            }
        });
    }

    public void removePool(String pool) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE pool = ?")) {
                s.setString(1, pool);
                return s.executeUpdate();
            }
        });
    }

    public List<Entry> all() {
        return db.with(c -> {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT pool, identifier_hash, sandbox_id, uid, init_pid, init_start, created_at FROM sessions");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    entries.add(new Entry(r.getString(1), r.getString(2),
                            new SandboxHandle(r.getString(3), r.getInt(4), r.getLong(5), r.getLong(6)),
                            Instant.parse(r.getString(7))));
                }
            }
            return entries;
        });
    }
}
