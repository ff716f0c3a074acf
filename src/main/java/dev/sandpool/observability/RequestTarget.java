package dev.sandpool.observability;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a request log line may say about where a request went, from the canonical path (aliases
 * already mapped, as the routes see it) and the raw query. The route is a template:
 * file paths and execution ids are user data and never appear, and neither does the query, which
 * carries the identifier.
 *
 * @param pool the pool named by the path, or null
 * @param route the route template, e.g. {@code /pools/{pool}/files/{path}}
 * @param identifier the decoded {@code identifier} query parameter, or null; hash it before logging
 * @param apiVersion the {@code api-version} query parameter when it looks like one, or null
 */
record RequestTarget(String pool, String route, String identifier, String apiVersion) {
    private static final Pattern POOL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern API_VERSION = Pattern.compile("[0-9A-Za-z.-]{1,40}");
    private static final Set<String> TOP_LEVEL = Set.of("/healthz", "/readyz", "/metrics", "/msi/token");
    /** Path segments that are part of a route's shape; anything else in a pool path is a parameter. */
    private static final Set<String> ROUTE_WORDS = Set.of("code", "execute", "executions", "files", "upload", "content",
            "session", "listSessions", "metadata", ".management", "stopSession", "python", "uploadFile", "downloadFile");

    static RequestTarget of(String canonicalPath, String rawQuery) {
        List<String> segments = new ArrayList<>();
        for (String segment : canonicalPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        String identifier = queryParameter(rawQuery, "identifier").filter(s -> !s.isEmpty()).orElse(null);
        String apiVersion = queryParameter(rawQuery, "api-version").filter(v -> API_VERSION.matcher(v).matches())
                .orElse(null);
        if (segments.size() >= 2 && segments.get(0).equals("pools")) {
            return new RequestTarget(poolName(segments.get(1)),
                    "/pools/{pool}" + template(segments.subList(2, segments.size())), identifier, apiVersion);
        } else if (segments.size() >= 2 && segments.get(0).equals("management") && segments.get(1).equals("pools")) {
            String managed = segments.size() >= 3 ? poolName(segments.get(2)) : null;
            return new RequestTarget(managed, segments.size() >= 3 ? "/management/pools/{name}" : "/management/pools",
                    null, apiVersion);
        } else {
            String path = "/" + String.join("/", segments);
            return new RequestTarget(null, TOP_LEVEL.contains(path) ? path : "other", null, apiVersion);
        }
    }

    private static String template(List<String> rest) {
        StringBuilder route = new StringBuilder();
        boolean inParameter = false;
        String previous = "";
        for (String segment : rest) {
            if (ROUTE_WORDS.contains(segment)) {
                route.append('/').append(segment);
                inParameter = false;
            } else if (!inParameter) {
                route.append(previous.equals("executions") ? "/{id}" : "/{path}");
                inParameter = true;
            }
            previous = segment;
        }
        return route.toString();
    }

    /** A pool name as configured, or "invalid": whatever else a client put there is not ours to log. */
    private static String poolName(String raw) {
        String decoded = decode(raw.replace("+", "%2B"));
        return POOL_NAME.matcher(decoded).matches() ? decoded : "invalid";
    }

    // Decoded as the server decodes it (server.QueryParams), so that the hash matches the session's.
    private static java.util.Optional<String> queryParameter(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return java.util.Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (decode(eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
                return java.util.Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return java.util.Optional.empty();
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
