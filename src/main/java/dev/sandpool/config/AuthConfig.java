package dev.sandpool.config;

import java.util.Objects;

/**
 * {@code api-key} (the default): the keys of {@code apiKeys}, each with a role; with none listed, one
 * admin key is generated into the data directory on first start. {@code jwt}: bearer JWTs checked
 * against a JWKS. {@code none} turns authentication off and is refused unless the server listens
 * on loopback only. {@code identifierBinding} (on by default) gives each caller its own sessions,
 * even when two callers use the same identifier.
 */
public record AuthConfig(AuthMode mode, java.util.List<ApiKeyConfig> apiKeys, JwtConfig jwt, Boolean identifierBinding,
                         ManagedIdentityConfig managedIdentity) {
    public AuthConfig {
        mode = Objects.requireNonNullElse(mode, AuthMode.API_KEY);
        apiKeys = java.util.List.copyOf(Objects.requireNonNullElse(apiKeys, java.util.List.of()));
        identifierBinding = Objects.requireNonNullElse(identifierBinding, true);
        managedIdentity = Objects.requireNonNullElse(managedIdentity, ManagedIdentityConfig.disabled());
    }

    public AuthConfig(AuthMode mode) {
        this(mode, null, null, null, null);
    }

    public AuthConfig(AuthMode mode, ManagedIdentityConfig managedIdentity) {
        this(mode, null, null, null, managedIdentity);
    }

    public static AuthConfig defaults() {
        return new AuthConfig(null, null, null, null, null);
    }

    void validate(ServerConfig server, Validation v) {
        if (mode == AuthMode.NONE && !server.isLoopback()) {
            v.fail("auth.mode", "'none' is only allowed when server.host is a loopback address (got " + server.host() + ")");
        }
        for (int i = 0; i < apiKeys.size(); i++) {
            apiKeys.get(i).validate("auth.apiKeys[" + i + "]", v);
        }
        if (mode == AuthMode.JWT) {
            if (jwt == null) {
                v.fail("auth.jwt", "is required when auth.mode is jwt");
            } else {
                jwt.validate(v);
            }
        }
        if (managedIdentity.enabled() && mode == AuthMode.JWT) {
            v.fail("auth.managedIdentity", "cannot issue tokens in jwt mode; use the identity provider that issues the JWTs");
        }
        if (managedIdentity.enabled() && !managedIdentity.secret().isEmpty() && managedIdentity.secret().length() < 16) {
            v.fail("auth.managedIdentity.secret", "must be at least 16 characters (or empty, to generate one)");
        }
    }
}
