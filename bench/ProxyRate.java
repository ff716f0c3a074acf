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

    /** Warm-up rounds end when two in a row are no faster than the best before them: the JIT has settled by then. */
    private static final Duration WARMUP_ROUND = Duration.ofSeconds(2);
    private static final int MIN_WARMUP_ROUNDS = 4;
    private static final int MAX_WARMUP_ROUNDS = 20;

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
        warm(server.port(), "/pools/web/index.html?identifier=proxy-bench", clients, true);
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
            warm(port, "/index.html", clients, false);
            return new Result(proxied, gets(port, "/index.html", clients, length, false));
        } finally {
            httpd.destroy();
        }
    }

    /**
     * Runs the calls until their rate stops rising. A fixed 5 s was enough after the other scenarios
     * had compiled most of the server, but not when this scenario ran alone: C2 still took a quarter
     * of the CPU while the proxied rate was measured, which rose for about 12 s of traffic (1,300/s
     * to 2,100/s here).
     */
    private static void warm(int port, String target, int clients, boolean keepAlive) throws Exception {
        double best = 0;
        int notFaster = 0;
        for (int round = 0; round < MAX_WARMUP_ROUNDS && (round < MIN_WARMUP_ROUNDS || notFaster < 2); round++) {
            double rate = gets(port, target, clients, WARMUP_ROUND, keepAlive).perSecond();
            if (Boolean.getBoolean("bench.verbose")) {
                System.err.printf("proxy warm-up %s round %d: %.0f/s%n", keepAlive ? "proxied" : "direct", round, rate);
            }
            notFaster = rate > best ? 0 : notFaster + 1;
            best = Math.max(best, rate);
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
