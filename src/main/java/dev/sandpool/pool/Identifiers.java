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
