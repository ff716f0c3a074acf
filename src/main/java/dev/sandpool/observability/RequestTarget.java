package dev.sandpool.observability;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
        String[] wanted = queryParameters(rawQuery);
        String identifier = wanted[0] == null || wanted[0].isEmpty() ? null : wanted[0];
        String apiVersion = wanted[1] != null && apiVersionLike(wanted[1]) ? wanted[1] : null;
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
        return poolNameLike(decoded) ? decoded : "invalid";
    }

    // Checked on every request, so loops rather than regexes. [a-z0-9][a-z0-9-]{0,62}
    private static boolean poolNameLike(String s) {
        if (s.isEmpty() || s.length() > 63 || s.charAt(0) == '-') {
            return false;
        }
        return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }

    // [0-9A-Za-z.-]{1,40}
    private static boolean apiVersionLike(String s) {
        return !s.isEmpty() && s.length() <= 40 && s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '.' || c == '-');
    }

    /**
     * The first {@code identifier} and the first {@code api-version} of the query, either null when
     * absent, decoded as the server decodes them (server.QueryParams), so that the hash matches the session's.
     */
    private static String[] queryParameters(String rawQuery) {
        String[] found = new String[2];
        if (rawQuery == null || rawQuery.isEmpty()) {
            return found;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            int slot = name.equals("identifier") ? 0 : name.equals("api-version") ? 1 : -1;
            if (slot >= 0 && found[slot] == null) {
                found[slot] = eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return found;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
