package dev.sandpool.store;

import dev.sandpool.config.ConfigLoader;
import dev.sandpool.config.PoolConfig;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Pools created through the management API, kept so that they survive restarts. */
public final class PoolStore {
    private final Database db;

    public PoolStore(Database db) {
        this.db = db;
    }

    public List<PoolConfig> all() {
        return db.with(c -> {
            List<PoolConfig> pools = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT config FROM pools ORDER BY name");
                 ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    pools.add(ConfigLoader.parsePool(rows.getString(1)));
                }
            }
            return pools;
        });
    }

    public void save(PoolConfig pool) {
        String now = Instant.now().toString();
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO pools (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at""")) {
                s.setString(1, pool.name());
                s.setString(2, ConfigLoader.writePool(pool));
                s.setString(3, now);
                s.setString(4, now);
                return s.executeUpdate();
            }
        });
    }

    public void delete(String name) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM pools WHERE name = ?")) {
                s.setString(1, name);
                return s.executeUpdate();
            }
        });
    }
}
