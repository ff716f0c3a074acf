package dev.sandpool.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer-token check for every route but the health probes. With no key configured (auth mode
 * none) every request passes.
 */
final class ApiKeyAuth implements Filter {
    /**
     * The probes, the token endpoint, which checks its own header, and the metrics: scrapers should
     * not need the API key, which grants code execution, and the metrics hold no identifier.
     */
    private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz", "/metrics", TokenService.PATH);
    private final Optional<byte[]> key;

    ApiKeyAuth(Optional<String> key) {
        this.key = key.map(k -> k.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (key.isEmpty() || OPEN_PATHS.contains(req.path().rawPath())) {
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        boolean bearer = header.regionMatches(true, 0, "Bearer ", 0, 7);
        byte[] presented = bearer ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (bearer && MessageDigest.isEqual(presented, key.get())) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        Responses.error(res, Status.UNAUTHORIZED_401, "Unauthorized", header.isEmpty()
                ? "this server requires 'Authorization: Bearer <api key>'"
                : "the bearer token is not a valid API key for this server");
    }
}
