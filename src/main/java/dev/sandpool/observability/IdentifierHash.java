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
    /** Cloned per call: a provider lookup (getInstance) costs several times the digest of an identifier. */
    private static final MessageDigest SHA_256 = sha256();

    private IdentifierHash() {}

    /**
     * The first 16 hex characters of SHA-256 of {@code pool + "\n" + identifier}. Pools name sessions
     * by a key that may start with the owner's tag and a space (identifier binding); only the
     * identifier is hashed, so that lifecycle lines match request lines and no owner is logged.
     */
    public static String of(String pool, String identifier) {
        identifier = identifier.substring(identifier.indexOf(' ') + 1);
        try {
            MessageDigest sha = (MessageDigest) SHA_256.clone();
            byte[] digest = sha.digest((pool + "\n" + identifier).getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest, 0, 8);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
