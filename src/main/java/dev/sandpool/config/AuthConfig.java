package dev.sandpool.config;

import java.util.Objects;

/**
 * {@code api-key} (the default) generates a key into the data directory on first start; {@code none}
 * turns authentication off and is refused unless the server listens on loopback only.
 */
public record AuthConfig(AuthMode mode, ManagedIdentityConfig managedIdentity) {
    public AuthConfig {
        mode = Objects.requireNonNullElse(mode, AuthMode.API_KEY);
        managedIdentity = Objects.requireNonNullElse(managedIdentity, ManagedIdentityConfig.disabled());
    }

    public AuthConfig(AuthMode mode) {
        this(mode, null);
    }

    public static AuthConfig defaults() {
        return new AuthConfig(null, null);
    }

    void validate(ServerConfig server, Validation v) {
        if (mode == AuthMode.NONE && !server.isLoopback()) {
            v.fail("auth.mode", "'none' is only allowed when server.host is a loopback address (got " + server.host() + ")");
        }
        if (managedIdentity.enabled() && !managedIdentity.secret().isEmpty() && managedIdentity.secret().length() < 16) {
            v.fail("auth.managedIdentity.secret", "must be at least 16 characters (or empty, to generate one)");
        }
    }
}
