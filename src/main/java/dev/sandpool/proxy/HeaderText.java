package dev.sandpool.proxy;

/**
 * Checks on text that goes verbatim onto the backend connection: a CR or LF in a value would let a
 * caller split the request (inject a header, or a second request).
 */
final class HeaderText {
    private HeaderText() {}

    static String requireValue(String value) {
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                    throw new IllegalArgumentException("invalid character in a header value");
                }
            }
        }
        return value;
    }

    static String requireToken(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("invalid header name: " + name);
            }
        }
        return name;
    }
}
