package dev.sandpool.observability;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The only form in which an identifier may reach a log line. Identifiers work as bearer secrets
 * for a session (whoever knows one can read its files), so logs carry a digest that correlates the
 * lines of one session without revealing it. The pool is part of the input because the same
 * identifier in two pools names two unrelated sessions.
 */
public final class IdentifierHash {
    private static final HexFormat HEX = HexFormat.of();

    private IdentifierHash() {}

    /**
     * The first 16 hex characters of SHA-256 of {@code pool + "\n" + identifier}. Pools name sessions
     * by a key that may start with the owner's tag and a space (identifier binding); only the
     * identifier is hashed, so that lifecycle lines match request lines and no owner is logged.
     */
    public static String of(String pool, String identifier) {
        identifier = identifier.substring(identifier.indexOf(' ') + 1);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((pool + "\n" + identifier).getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
