package dev.sandpool.pool;

import java.util.regex.Pattern;

/**
 * Session identifiers as Azure's latest data-plane spec allows them: 4 to 128 printable ASCII
 * characters, without space, backslash or quote-like oddities. Checked after URL decoding.
 */
public final class Identifiers {
    private static final Pattern ALLOWED =
            Pattern.compile("[a-zA-Z0-9_|}{\\[\\]:\";'<>?/.,@#$%^&*()\\-+=!~`]{4,128}");

    private Identifiers() {}

    /** How an identifier is stored and logged: never in clear, but matchable. */
    public static String hash(String pool, String identifier) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((pool + "\n" + identifier).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A session key: an identifier, optionally preceded by its owner's tag and a space (which no
     * identifier may contain). Only the identifier part is checked.
     */
    public static String validateKey(String key) {
        validate(key == null ? null : key.substring(key.indexOf(' ') + 1));
        return key;
    }

    public static String validate(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new InvalidIdentifierException("the query parameter 'identifier' is required");
        }
        if (!ALLOWED.matcher(identifier).matches()) {
            throw new InvalidIdentifierException("identifier must be 4 to 128 characters of letters, digits and "
                    + "_|{}[]:\";'<>?/.,@#$%^&*()-+=!~` (got " + identifier.length() + " characters)");
        }
        return identifier;
    }
}
