package dev.sandpool.config;

import java.nio.file.Path;

/**
 * One named API key. The secret comes from exactly one of {@code key} (inline), {@code keyFile}
 * or {@code keyEnv} (an environment variable), so that it need not live in the config file.
 */
public record ApiKeyConfig(String name, String role, String key, Path keyFile, String keyEnv) {
    void validate(String where, Validation v) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            v.fail(where + ".name", "must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (role == null || !(role.equalsIgnoreCase("executor") || role.equalsIgnoreCase("admin"))) {
            v.fail(where + ".role", "must be executor or admin (got " + role + ")");
        }
        int sources = (key != null ? 1 : 0) + (keyFile != null ? 1 : 0) + (keyEnv != null ? 1 : 0);
        if (sources != 1) {
            v.fail(where, "give exactly one of key, keyFile and keyEnv");
        } else if (key != null && key.length() < 16) {
            v.fail(where + ".key", "must be at least 16 characters");
        }
    }
}
