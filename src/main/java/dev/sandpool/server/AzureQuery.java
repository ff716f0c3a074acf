package dev.sandpool.server;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Encoding a query value the way Azure's own links do (space as %20). */
final class AzureQuery {
    private AzureQuery() {}

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
