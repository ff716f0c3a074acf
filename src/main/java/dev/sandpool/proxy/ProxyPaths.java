package dev.sandpool.proxy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The request target a proxied request carries to the backend: the raw path after the pool
 * endpoint and the raw query minus Sandpool's own parameters.
 */
public final class ProxyPaths {
    /** Parameters that select the session and the API contract; they mean nothing to the container. */
    private static final Set<String> OWN_PARAMETERS = Set.of("identifier", "api-version");

    private ProxyPaths() {}

    /**
     * {@code rawPathAfterEndpoint} as sent (still percent-encoded; {@code ""} is {@code /}), then
     * {@code ?} and the query parameters other than {@code identifier} and {@code api-version}, byte for
     * byte and in their order, or no {@code ?} at all when none is left. Parameter names are compared
     * after decoding, as the server's own parsing does, so {@code api%2Dversion} is removed too; every
     * occurrence is removed, not only the first one the server read.
     *
     * @throws IllegalArgumentException when the target holds a control character or a space, which
     *                                  cannot appear in a request line
     */
    public static String forwardedTarget(String rawPathAfterEndpoint, String rawQuery) {
        String path = rawPathAfterEndpoint == null ? "" : rawPathAfterEndpoint;
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String query = withoutOwnParameters(rawQuery == null ? "" : rawQuery);
        return requestTarget(query.isEmpty() ? path : path + "?" + query);
    }

    static String withoutOwnParameters(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return "";
        }
        StringBuilder kept = new StringBuilder(rawQuery.length());
        boolean first = true;
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            String pair = rawQuery.substring(start, end);
            if (!OWN_PARAMETERS.contains(name(pair))) {
                if (!first) {
                    kept.append('&');
                }
                kept.append(pair);
                first = false;
            }
            start = end + 1;
        }
        return kept.toString();
    }

    private static String name(String pair) {
        int eq = pair.indexOf('=');
        String raw = eq < 0 ? pair : pair.substring(0, eq);
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // a stray '%': the name is what was sent
        }
    }

    /**
     * Keeps printable ASCII as it is and percent-encodes anything above it as UTF-8 (a request line is
     * ASCII); refuses what would break the request line.
     */
    private static String requestTarget(String target) {
        StringBuilder out = null;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                throw new IllegalArgumentException("the request target contains a control character or a space");
            }
            if (c > 0x7F) {
                if (out == null) {
                    out = new StringBuilder(target.substring(0, i));
                }
                int cp = target.codePointAt(i);
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                }
                i += Character.charCount(cp) - 1;
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? target : out.toString();
    }
}
