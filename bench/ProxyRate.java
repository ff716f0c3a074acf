import dev.sandpool.image.TestImages;
import dev.sandpool.server.SandpoolServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests per second through the pool endpoint to a session's HTTP server (busybox httpd in a
 * custom container), next to the same httpd serving the same file directly on loopback. The
 * session gets the host's two cores, as the direct httpd has them.
 */
final class ProxyRate {
    record Result(Throughput.Result proxied, Throughput.Result direct) {}

    private static final Duration WARMUP = Duration.ofSeconds(5);

    private ProxyRate() {}

    static Result measure(SandpoolServer server, Http1 http, Path work, int clients, Duration length) throws Exception {
        TestImages.Built image = TestImages.httpd(work.resolve("image"));
        Pools.put(http, "web", """
                {"containerType": "CustomContainer",
                 "scaleConfiguration": {"maxConcurrentSessions": 2, "readySessionInstances": 1},
                 "customContainerTemplate": {"containers": [{"image": "%s", "name": "web"}], "ingress": {"targetPort": 8080}},
                 "sandpoolConfiguration": {"cpu": 2.0, "memory": "128Mi"}}""".formatted(image.skopeoRef()));
        Pools.awaitReady(server, "web", 1, Duration.ofMinutes(2));
        // both sides are measured warm (JIT-compiled proxy path, the session allocated), as every row is
        gets(server.port(), "/pools/web/index.html?identifier=proxy-bench", clients, WARMUP, true);
        Throughput.Result proxied = gets(server.port(), "/pools/web/index.html?identifier=proxy-bench", clients, length, true);
        Pools.delete(http, "web");

        Path www = Files.createDirectories(work.resolve("www"));
        Files.writeString(www.resolve("index.html"), TestImages.INDEX_HTML);
        int port;
        try (var probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process httpd = new ProcessBuilder("/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", www.toString())
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 500 && !reachable(port); i++) {
                Thread.sleep(10);
            }
            gets(port, "/index.html", clients, WARMUP, false);
            return new Result(proxied, gets(port, "/index.html", clients, length, false));
        } finally {
            httpd.destroy();
        }
    }

    private static boolean reachable(int port) {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Each client's calls, sequential. busybox httpd answers one request per connection, so direct
     * calls open one each; calls to Sandpool keep theirs open, as HTTP clients of a pool endpoint do
     * (the proxy still dials the session's httpd afresh for every request).
     */
    private static Throughput.Result gets(int port, String target, int clients, Duration length, boolean keepAlive)
            throws Exception {
        List<Throughput.Call> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Http1[] kept = new Http1[1];
            calls.add(() -> {
                Http1 http = keepAlive && kept[0] != null ? kept[0] : new Http1("127.0.0.1", port);
                kept[0] = keepAlive ? http : null;
                try {
                    var r = http.get(target);
                    if (r.status() != 200 || !r.text().equals(TestImages.INDEX_HTML)) {
                        throw new IllegalStateException("unexpected answer: " + r.status() + " " + r.text());
                    }
                } finally {
                    if (!keepAlive) {
                        http.close();
                    }
                }
            });
        }
        return Throughput.drive(calls, length);
    }
}
