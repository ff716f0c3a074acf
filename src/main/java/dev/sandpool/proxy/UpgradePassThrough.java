package dev.sandpool.proxy;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.http1.spi.Http1UpgradeResponse;
import io.helidon.webserver.http1.spi.Http1UpgradeResult;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Optional;

/**
 * Passes WebSocket upgrades through to the backend as raw bytes, without terminating WebSocket here
 * (so subprotocols, extensions and frames are the container's business).
 * <p>
 * A handler cannot take over its connection in Helidon 4.5; only an HTTP/1 upgrader gets the
 * connection's reader and writer. This is a <em>routed</em> upgrader: Helidon runs the server's
 * filters (authentication) and the route's
 * {@link io.helidon.webserver.http.spi.ProtocolUpgradeHandler} before the switch, and that handler
 * ({@link ProxyRoute}, through {@link SessionProxy#upgrade}) does the handshake with the backend and,
 * on its 101, hands the backend connection to the {@link Pending} upgrade that Helidon then
 * completes. The hand-over is a thread-local, because Helidon runs the upgrader, the filters, the
 * policy handler and the upgrade on the connection's own thread and gives the handler no other
 * path to the upgrade object. A request that reaches no proxy route is routed as usual.
 * <p>
 * Wiring: the server must use {@link #http1Selector()} as its HTTP/1 connection selector
 * ({@code WebServer.builder().addConnectionSelector(UpgradePassThrough.http1Selector())}); explicit
 * selectors come before the discovered default one. Without it, {@code Upgrade} is dropped as
 * hop-by-hop and the backend sees an ordinary GET.
 * <p>
 * The routed-upgrade SPI is marked {@code @Api.Internal} in Helidon 4.5.0: recheck it on upgrades.
 */
public final class UpgradePassThrough implements Http1RoutedUpgrader {
    private static final ThreadLocal<Pending> PENDING = new ThreadLocal<>();
    private static final UpgradePassThrough WEBSOCKET = new UpgradePassThrough();

    private UpgradePassThrough() {}

    /** Helidon's HTTP/1 connection selector with the default configuration plus this upgrader. */
    public static ServerConnectionSelector http1Selector() {
        return http1Selector(Http1Config.create());
    }

    public static ServerConnectionSelector http1Selector(Http1Config config) {
        // Helidon looks the upgrader up by the exact Upgrade value; these are the spellings clients use
        return Http1ConnectionSelector.builder()
                .config(config)
                .putUpgrader("websocket", WEBSOCKET)
                .putUpgrader("WebSocket", WEBSOCKET)
                .build();
    }

    @Override
    public String supportedProtocol() {
        return "websocket";
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        return null; // only the routed path is used, so filters always run first
    }

    @Override
    public Optional<Http1RoutedUpgrade> routedUpgrade(ConnectionContext ctx, HttpPrologue prologue,
                                                      WritableHeaders<?> headers) {
        Pending stale = PENDING.get();
        if (stale != null) {
            stale.discard();
        }
        Pending pending = new Pending(ctx);
        PENDING.set(pending);
        return Optional.of(pending);
    }

    /** The upgrade being routed on this thread, if any. */
    static Optional<Pending> pending() {
        return Optional.ofNullable(PENDING.get());
    }

    /** One upgrade request on its way through routing. */
    static final class Pending implements Http1RoutedUpgrade {
        private final ConnectionContext ctx;
        private BackendConnection backend;
        private Headers switching;

        private Pending(ConnectionContext ctx) {
            this.ctx = ctx;
        }

        /** The backend agreed to switch: its connection and the 101's fields for the client. */
        void accept(BackendConnection backend, Headers switching) {
            this.backend = backend;
            this.switching = switching;
        }

        @Override
        public Http1UpgradeResult upgrade(Http1UpgradeResponse response, Headers requestHeaders) {
            PENDING.remove();
            if (backend == null) {
                return Http1UpgradeResult.notApplicable(); // no proxy route took it: ordinary routing
            }
            BackendConnection taken = backend;
            backend = null;
            try {
                response.sendSwitchingProtocols(switching);
            } catch (RuntimeException e) {
                taken.close();
                throw e;
            }
            return Http1UpgradeResult.upgraded(new TunnelConnection(ctx, taken));
        }

        /** Routing ended without completing the switch (a later policy refused it). */
        void discard() {
            if (backend != null) {
                backend.close();
                backend = null;
            }
        }
    }
}
