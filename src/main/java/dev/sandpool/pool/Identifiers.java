package dev.sandpool.pool;

/**
 * Session identifiers as Azure's latest data-plane spec allows them: 4 to 128 printable ASCII
 * characters, without space, backslash or quote-like oddities. Checked after URL decoding.
 */
public final class Identifiers {
    private static final String PUNCTUATION = "_|{}[]:\";'<>?/.,@#$%^&*()-+=!~`";
    /** The characters allowed, by ASCII code: checked twice per request, so a table rather than a regex. */
    private static final boolean[] ALLOWED = allowed();

    private static final java.security.MessageDigest SHA_256 = sha256();

    private Identifiers() {}

    /** How an identifier is stored and logged: never in clear, but matchable. SHA-256 of {@code pool + "\n" + identifier}, in hex. */
    public static String hash(String pool, String identifier) {
        try {
            // cloned per call: a provider lookup (getInstance) costs several times the digest of an identifier
            java.security.MessageDigest sha = (java.security.MessageDigest) SHA_256.clone();
            byte[] digest = sha.digest((pool + "\n" + identifier).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
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
        if (!wellFormed(identifier)) {
            throw new InvalidIdentifierException("identifier must be 4 to 128 characters of letters, digits and "
                    + "_|{}[]:\";'<>?/.,@#$%^&*()-+=!~` (got " + identifier.length() + " characters)");
        }
        return identifier;
    }

    private static boolean wellFormed(String identifier) {
        if (identifier.length() < 4 || identifier.length() > 128) {
            return false;
        }
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (c >= ALLOWED.length || !ALLOWED[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean[] allowed() {
        boolean[] table = new boolean[128];
        for (char c = '0'; c <= '9'; c++) {
            table[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            table[c] = true;
            table[Character.toUpperCase(c)] = true;
        }
        PUNCTUATION.chars().forEach(c -> table[c] = true);
        return table;
    }
}
