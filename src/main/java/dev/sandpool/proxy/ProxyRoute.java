package dev.sandpool.proxy;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.ProtocolUpgradeHandler;

/**
 * A route handler for a proxied endpoint. Registered on a path with {@code any(...)}, it forwards
 * ordinary requests and, being a {@link ProtocolUpgradeHandler}, also takes part in the routing of
 * WebSocket upgrades (see {@link UpgradePassThrough}). What a request goes to is the caller's
 * business, resolved per request by {@link Targets} (which may throw the server's own errors, such as
 * an unknown session).
 */
public final class ProxyRoute implements Handler, ProtocolUpgradeHandler {
    /** Where one request goes. */
    public record Target(Dialer dialer, String pathAndQuery, ProxyOptions options) {}

    @FunctionalInterface
    public interface Targets {
        Target resolve(ServerRequest req) throws Exception;
    }

    private final SessionProxy proxy = new SessionProxy();
    private final Targets targets;

    public ProxyRoute(Targets targets) {
        this.targets = targets;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws Exception {
        Target target = targets.resolve(req);
        proxy.forward(req, res, target.dialer(), target.pathAndQuery(), target.options());
    }

    @Override
    public void handleProtocolUpgrade(ServerRequest req, ServerResponse res) throws Exception {
        Target target = targets.resolve(req);
        proxy.upgrade(req, res, target.dialer(), target.pathAndQuery(), target.options());
    }
}
