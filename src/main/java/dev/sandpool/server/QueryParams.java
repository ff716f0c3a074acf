package dev.sandpool.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Query parameters decoded the way every known client encodes them: {@code %XX} escapes, {@code +}
 * for space (LangChain4j's URLEncoder), and raw characters left as they are when a client (SK
 * Python) did not encode them at all, so a stray {@code %} does not make the request unreadable.
 */
final class QueryParams {
    private QueryParams() {}

    static Optional<String> first(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    /** A path segment: %XX escapes only; '+' stays a plus. */
    static String decodePath(String raw) {
        return decode(raw.replace("+", "%2B"));
    }

    static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
