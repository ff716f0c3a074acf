package dev.sandpool.config;

import java.util.Objects;

/**
 * The optional managed-identity token endpoint ({@code GET /msi/token}, Azure App Service's
 * {@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER} protocol). Clients that can only authenticate
 * through Azure's credential chain (LangChain4j, LlamaIndex) get a token valid for this server from
 * it. {@code secret} is what they must send as {@code X-IDENTITY-HEADER}; when empty, one is
 * generated into the data directory.
 */
public record ManagedIdentityConfig(Boolean enabled, String secret) {
    public ManagedIdentityConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        secret = Objects.requireNonNullElse(secret, "");
    }

    public static ManagedIdentityConfig disabled() {
        return new ManagedIdentityConfig(false, null);
    }
}
