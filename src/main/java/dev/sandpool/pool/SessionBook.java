package dev.sandpool.pool;

import dev.sandpool.sandbox.SandboxHandle;
import java.time.Instant;

/** Where a pool records which sandbox serves which (hashed) identifier, so that a restart finds them. */
public interface SessionBook {
    SessionBook NONE = new SessionBook() {
        @Override
        public void bound(String pool, String identifierHash, SandboxHandle sandbox, Instant createdAt) {}

        @Override
        public void unbound(String pool, String identifierHash, String sandboxId) {}
    };

    void bound(String pool, String identifierHash, SandboxHandle sandbox, Instant createdAt);

    /**
     * The identifier's session on sandbox {@code sandboxId} ended. Only that binding goes: the
     * identifier may already have a new session whose binding must stay ({@code ""}: whatever it is).
     */
    void unbound(String pool, String identifierHash, String sandboxId);
}
