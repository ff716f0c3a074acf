package dev.sandpool.observability;

import dev.sandpool.pool.Identifiers;

/**
 * The only form in which an identifier may reach a log line. Identifiers work as bearer secrets
 * for a session (whoever knows one can read its files), so logs carry a digest that correlates the
 * lines of one session without revealing it. The pool is part of the input because the same
 * identifier in two pools names two unrelated sessions.
 */
public final class IdentifierHash {
    private IdentifierHash() {}

    /**
     * The first 16 hex characters of SHA-256 of {@code pool + "\n" + identifier} (the registry's
     * {@link Identifiers#hash}, shortened). Pools name sessions by a key that may start with the
     * owner's tag and a space (identifier binding); only the identifier is hashed, so that lifecycle
     * lines match request lines and no owner is logged.
     */
    public static String of(String pool, String identifier) {
        return Identifiers.hash(pool, identifier.substring(identifier.indexOf(' ') + 1)).substring(0, 16);
    }
}
