package dev.sandpool.cli;

import java.nio.charset.StandardCharsets;

/** Percent-encoding for URL parts: identifiers and file names may hold any character. */
final class Urls {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Urls() {}

    /**
     * One path segment or query value: everything but RFC 3986's unreserved characters is encoded,
     * including {@code /}, {@code +}, {@code &} and spaces (as {@code %20}; the server, like Azure,
     * does not read {@code +} as a space in paths).
     */
    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** A relative file path: each segment encoded, the {@code /} between them kept. */
    static String encodePath(String relative) {
        StringBuilder out = new StringBuilder();
        for (String segment : relative.split("/", -1)) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(encode(segment));
        }
        return out.toString();
    }

    /**
     * A remote file path as the user typed it, made relative to {@code /mnt/data} (the root every
     * session file lives under). Other absolute paths are refused here rather than sent, because
     * they would be read as relative ones once put in a URL.
     */
    static String remotePath(String path) {
        String p = path.replace('\\', '/');
        if (p.equals("/mnt/data") || p.startsWith("/mnt/data/")) {
            p = p.substring("/mnt/data".length());
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
        } else if (p.startsWith("/")) {
            throw CliException.usage("remote paths are relative to /mnt/data (got '" + path + "')");
        }
        if (p.isEmpty()) {
            throw CliException.usage("a remote file name is required (got '" + path + "')");
        }
        return p;
    }
}
