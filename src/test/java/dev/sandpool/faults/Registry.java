package dev.sandpool.faults;

import dev.sandpool.pool.Identifiers;
import dev.sandpool.store.Database;
import dev.sandpool.store.SessionRegistry;
import dev.sandpool.testing.TestingServer;
import java.util.Set;
import java.util.stream.Collectors;

/** The server's SQLite file read through a second connection, as an operator's tool would. */
final class Registry {
    private Registry() {}

    /** {@code PRAGMA integrity_check}'s verdict: "ok" for a sound file. */
    static String integrity(TestingServer server) {
        try (Database db = Database.open(server.dataDir())) {
            return db.with(c -> {
                try (var s = c.createStatement(); var r = s.executeQuery("PRAGMA integrity_check")) {
                    r.next();
                    return r.getString(1);
                }
            });
        }
    }

    /** "pool identifier-hash" of every session the registry lists. */
    static Set<String> sessions(TestingServer server) {
        try (Database db = Database.open(server.dataDir())) {
            return new SessionRegistry(db).all().stream().map(e -> e.pool() + " " + e.identifierHash())
                    .collect(Collectors.toSet());
        }
    }

    /** How the registry names the session of {@code identifier} (the server's own key) in {@code pool}. */
    static String row(TestingServer server, String pool, String identifier) {
        return pool + " " + Identifiers.hash(pool, server.sessionKey(identifier));
    }
}
