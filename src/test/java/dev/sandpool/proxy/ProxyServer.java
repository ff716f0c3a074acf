package dev.sandpool.proxy;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.time.Duration;

/**
 * The proxy under test: a Helidon server on loopback whose {@code /proxy/...} forwards through
 * {@link SessionProxy} with a given dialer, wired for WebSocket pass-through the way the real server
 * must be. {@code /plain} is an ordinary route, and a query containing {@code deny=1} is refused by a
 * filter, standing in for authentication.
 */
final class ProxyServer implements AutoCloseable {
    static final String PREFIX = "/proxy";
    final WebServer web;

    private ProxyServer(WebServer web) {
        this.web = web;
    }

    static ProxyServer start(Dialer dialer) {
        return start(dialer, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    static ProxyServer start(Dialer dialer, Duration connectTimeout, Duration responseTimeout) {
        ProxyRoute route = new ProxyRoute(req -> new ProxyRoute.Target(dialer,
                ProxyPaths.forwardedTarget(req.prologue().uriPath().rawPath().substring(PREFIX.length()),
                        req.query().rawValue()),
                ProxyOptions.of(req, connectTimeout, responseTimeout)));
        WebServer web = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addConnectionSelector(UpgradePassThrough.http1Selector())
                .routing(r -> r
                        .addFilter((chain, req, res) -> {
                            if (req.query().rawValue().contains("deny=1")) {
                                ProxyErrors.write(res, Status.UNAUTHORIZED_401, "Unauthorized", "denied by the test filter");
                            } else {
                                chain.proceed();
                            }
                        })
                        .get("/plain", (req, res) -> res.send("plain route"))
                        .any(PREFIX, route)
                        .any(PREFIX + "/*", route))
                .build()
                .start();
        return new ProxyServer(web);
    }

    int port() {
        return web.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + PREFIX + path);
    }

    @Override
    public void close() {
        web.stop();
    }
}
