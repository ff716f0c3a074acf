package dev.sandpool.server;

import dev.sandpool.config.ContainerType;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.proxy.ProxyOptions;
import dev.sandpool.proxy.ProxyPaths;
import dev.sandpool.proxy.ProxyRoute;
import dev.sandpool.sandbox.Sandbox;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.ProtocolUpgradeHandler;
import java.time.Duration;
import java.util.Optional;

/**
 * The endpoint of a CustomContainer pool: every method and path after it goes to the identifier's
 * container on its target port, through the sandbox's network namespace. Azure's control calls on
 * the same endpoint ({@code .management/...} and {@code DELETE session}) are not proxied, and
 * built-in pools are left to their own routes.
 */
final class ContainerProxy implements Handler, ProtocolUpgradeHandler {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(120);
    private final PoolRequests requests;
    private final ProxyRoute route = new ProxyRoute(this::target);

    ContainerProxy(PoolRequests requests) {
        this.requests = requests;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws Exception {
        if (!proxied(req)) {
            res.next();
            return;
        }
        long[] sent = new long[1];
        req.streamFilter(in -> new java.io.FilterInputStream(in) {
            @Override
            public int read() throws java.io.IOException {
                int b = super.read();
                sent[0] += b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] buffer, int off, int len) throws java.io.IOException {
                int n = super.read(buffer, off, len);
                sent[0] += Math.max(n, 0);
                return n;
            }
        });
        try {
            route.handle(req, res);
        } finally {
            requests.findPool(req).ifPresent(pool -> pool.reportProxied(sent[0], res.bytesWritten()));
        }
    }

    @Override
    public void handleProtocolUpgrade(ServerRequest req, ServerResponse res) throws Exception {
        if (!proxied(req)) {
            throw new ApiException(Status.BAD_REQUEST_400, "UpgradeNotSupported",
                    "only custom-container pools take protocol upgrades");
        }
        route.handleProtocolUpgrade(req, res);
    }

    private boolean proxied(ServerRequest req) {
        Optional<SessionPool> pool = requests.findPool(req);
        if (pool.isEmpty() || pool.get().config().containerType() != ContainerType.CustomContainer) {
            return false;
        }
        String after = afterEndpoint(req, pool.get());
        boolean control = after.startsWith("/.management/")
                || (after.equals("/session") && req.prologue().method() == Method.DELETE);
        return !control;
    }

    private ProxyRoute.Target target(ServerRequest req) {
        SessionPool pool = requests.pool(req);
        Sandbox sandbox = pool.sandbox(requests.session(req, Optional.empty()).key());
        int port = pool.config().container().targetPort();
        return new ProxyRoute.Target(timeout -> sandbox.connect(port, timeout),
                ProxyPaths.forwardedTarget(afterEndpoint(req, pool), req.query().rawValue()),
                ProxyOptions.of(req, CONNECT_TIMEOUT, RESPONSE_TIMEOUT));
    }

    /** The raw path after {@code /pools/{name}}, as sent: "" or starting with '/'. */
    private static String afterEndpoint(ServerRequest req, SessionPool pool) {
        return req.prologue().uriPath().rawPath().substring(("/pools/" + pool.name()).length());
    }
}
