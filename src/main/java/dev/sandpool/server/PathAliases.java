package dev.sandpool.server;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites every accepted spelling of a pool endpoint to the canonical {@code /pools/{name}/...}:
 * the Azure-shaped {@code /subscriptions/{s}/resourceGroups/{r}/sessionPools/{name}}, double
 * slashes ({@code //code/execute} from LlamaIndex.TS, {@code //files} from old SK .NET) and
 * trailing slashes. The ARM path of the pool resource itself maps to {@code /management/pools}.
 * Services then see only canonical paths.
 */
final class PathAliases implements Handler {

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        // the prologue's raw path is as sent; req.path() is already decoded once
        String raw = req.prologue().uriPath().rawPath();
        String canonical = canonical(raw);
        if (canonical.equals(raw)) {
            res.next();
        } else {
            res.reroute(canonical, req.query());
        }
    }

    static String canonical(String rawPath) {
        if (alreadyCanonical(rawPath)) {
            return rawPath;
        }
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        // ARM: /subscriptions/{s}/resourceGroups/{r}/providers/Microsoft.App/sessionPools[/{name}]
        if (segments.size() >= 7
                && segments.get(0).equalsIgnoreCase("subscriptions")
                && segments.get(2).equalsIgnoreCase("resourceGroups")
                && segments.get(4).equalsIgnoreCase("providers")
                && segments.get(5).equalsIgnoreCase("Microsoft.App")
                && segments.get(6).equalsIgnoreCase("sessionPools")) {
            List<String> rest = new ArrayList<>(List.of("management", "pools"));
            rest.addAll(segments.subList(7, segments.size()));
            return "/" + String.join("/", rest);
        }
        if (segments.size() >= 6
                && segments.get(0).equalsIgnoreCase("subscriptions")
                && segments.get(2).equalsIgnoreCase("resourceGroups")
                && segments.get(4).equalsIgnoreCase("sessionPools")) {
            List<String> rest = new ArrayList<>(List.of("pools"));
            rest.addAll(segments.subList(5, segments.size()));
            segments = rest;
        }
        return "/" + String.join("/", segments);
    }

    /** What nearly every request has: a path of non-empty segments that is no ARM alias (checked per request). */
    private static boolean alreadyCanonical(String rawPath) {
        if (rawPath.length() < 2 || rawPath.charAt(0) != '/' || rawPath.endsWith("/") || rawPath.contains("//")) {
            return false;
        }
        return !rawPath.regionMatches(true, 1, "subscriptions/", 0, "subscriptions/".length());
    }
}
