package dev.sandpool.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandpool.config.ApiKeyConfig;
import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ConfigLoader;
import dev.sandpool.config.JwtConfig;
import dev.sandpool.config.ManagedIdentityConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The auth section's defaults and every key's mapping. */
class AuthConfigTest {
    @Test
    void defaults() {
        AuthConfig auth = ConfigLoader.parse("pools: []\n").validated().auth();
        assertThat(auth).isEqualTo(new AuthConfig(AuthMode.API_KEY, List.of(), null, true, new ManagedIdentityConfig(false, "")));
        JwtConfig jwt = ConfigLoader.parse("auth:\n  mode: jwt\n  jwt:\n    issuer: https://i\n    jwksUrl: https://i/keys\n")
                .validated().auth().jwt();
        assertThat(jwt).isEqualTo(new JwtConfig("https://i", "https://i/keys", null,
                List.of("https://dynamicsessions.io", "https://acasessions.io"), "roles", "sub", "admin", "executor", "none"));
    }

    @Test
    void explicitMappings() {
        AuthConfig auth = ConfigLoader.parse("""
                auth:
                  mode: jwt
                  identifierBinding: false
                  apiKeys:
                    - {name: ci, role: executor, key: 0123456789abcdef0}
                    - {name: ops, role: admin, keyFile: /etc/sandpool/ops.key}
                    - {name: env, role: executor, keyEnv: SANDPOOL_CI_KEY}
                  jwt:
                    issuer: https://login.example/t/v2.0
                    jwksFile: /etc/sandpool/jwks.json
                    audiences: [api://sandpool]
                    roleClaim: groups
                    subjectClaim: oid
                    adminRoleValue: Sandpool.Admin
                    executorRoleValue: Sandpool.Executor
                    defaultRole: executor
                """).validated().auth();
        assertThat(auth).isEqualTo(new AuthConfig(AuthMode.JWT, List.of(
                new ApiKeyConfig("ci", "executor", "0123456789abcdef0", null, null),
                new ApiKeyConfig("ops", "admin", null, Path.of("/etc/sandpool/ops.key"), null),
                new ApiKeyConfig("env", "executor", null, null, "SANDPOOL_CI_KEY")),
                new JwtConfig("https://login.example/t/v2.0", null, Path.of("/etc/sandpool/jwks.json"), List.of("api://sandpool"),
                        "groups", "oid", "Sandpool.Admin", "Sandpool.Executor", "executor"), false, new ManagedIdentityConfig(false, "")));
    }

    @Test
    void invalidAuthIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  apiKeys:\n    - {name: x, role: root, key: short}\n").validated())
                .hasMessageContaining("auth.apiKeys[0].role: must be executor or admin")
                .hasMessageContaining("auth.apiKeys[0].key: must be at least 16 characters");
        assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  mode: jwt\n").validated())
                .hasMessageContaining("auth.jwt: is required when auth.mode is jwt");
        assertThatThrownBy(() -> ConfigLoader.parse("auth:\n  mode: jwt\n  jwt: {issuer: i}\n").validated())
                .hasMessageContaining("auth.jwt: give exactly one of jwksUrl and jwksFile");
    }
}
