package dev.sandpool.server;

import dev.sandpool.auth.Authenticator;
import dev.sandpool.auth.Principal;
import dev.sandpool.auth.Role;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, on every route but the open ones: 401 with {@code WWW-Authenticate: Bearer}
 * without a valid token, 403 when the caller's role does not reach the route (the management API
 * needs admin). The principal is left in the request context for the services.
 */
final class AuthFilter implements Filter {
    /**
     * The probes, the token endpoint, which checks its own header, and the metrics: scrapers should
     * not need a key, which grants code execution, and the metrics hold no identifier.
     */
    private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz", "/metrics", TokenService.PATH);
    private final Authenticator authenticator;

    AuthFilter(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = PathAliases.canonical(req.prologue().uriPath().rawPath());
        if (OPEN_PATHS.contains(path)) {
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        boolean bearer = header.regionMatches(true, 0, "Bearer ", 0, 7);
        Optional<Principal> principal = authenticator == Authenticator.NONE ? Optional.of(Principal.ANONYMOUS)
                : bearer ? authenticator.authenticate(header.substring(7).strip()) : Optional.empty();
        if (principal.isEmpty()) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Responses.error(res, Status.UNAUTHORIZED_401, "Unauthorized", header.isEmpty()
                    ? "this server requires 'Authorization: Bearer <api key or token>'"
                    : "the bearer token is not valid for this server");
            return;
        }
        Role needed = path.startsWith("/management/") || path.equals("/management") ? Role.ADMIN : Role.EXECUTOR;
        if (!principal.get().role().allows(needed)) {
            Responses.error(res, Status.FORBIDDEN_403, "Forbidden",
                    "this route needs the admin role; the caller has the " + principal.get().role().name().toLowerCase() + " role");
            return;
        }
        req.context().register(principal.get());
        chain.proceed();
    }
}
