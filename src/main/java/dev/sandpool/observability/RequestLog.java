package dev.sandpool.observability;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured line per HTTP request on the logger {@code sandpool.access}, written after the
 * response. It runs first among the filters so that refused requests (401) are logged too, and it
 * opens the {@link RequestScope} that allocation latency is measured from. Headers are never
 * read (the Authorization header holds the API key) and the query is reduced to a hashed
 * identifier and the api-version.
 */
final class RequestLog implements Filter {
    static final String LOGGER = "sandpool.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private final RequestScope scope;
    private final UnaryOperator<String> canonicalPath;
    private final Runnable afterPoolManagement;

    RequestLog(RequestScope scope, UnaryOperator<String> canonicalPath, Runnable afterPoolManagement) {
        this.scope = scope;
        this.canonicalPath = canonicalPath;
        this.afterPoolManagement = afterPoolManagement;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        // read before routing: once a service has matched, the request's path is relative to it
        RequestTarget target = RequestTarget.of(canonicalPath.apply(req.path().rawPath()), req.query().rawValue());
        scope.begin(start);
        try {
            chain.proceed();
        } finally {
            scope.end();
            double millis = (System.nanoTime() - start) / 1e6;
            if (target.route().startsWith("/management/")) {
                afterPoolManagement.run();
            }
            String method = req.prologue().method().text();
            int status = res.status().code();
            var line = LOG.atInfo()
                    .setMessage(() -> method + " " + target.route() + " " + status)
                    .addKeyValue("event", "http_request")
                    .addKeyValue("method", method)
                    .addKeyValue("route", target.route())
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", Math.round(millis * 1000) / 1000.0);
            if (target.pool() != null) {
                line = line.addKeyValue("pool", target.pool());
                if (target.identifier() != null) {
                    line = line.addKeyValue("identifier_hash", IdentifierHash.of(target.pool(), target.identifier()));
                }
            }
            if (target.apiVersion() != null) {
                line = line.addKeyValue("api_version", target.apiVersion());
            }
            line.log();
        }
    }
}
