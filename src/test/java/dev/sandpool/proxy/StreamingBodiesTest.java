package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream both ways: 2 GiB up and 2 GiB down through the proxy in a JVM whose whole heap is
 * smaller (surefire runs with -Xmx1g), generated on the fly and checked by length and CRC32. The
 * backend is a Helidon server, an HTTP implementation independent of the proxy's.
 */
class StreamingBodiesTest {
    private static final long SIZE = 2L * 1024 * 1024 * 1024;
    private static final CompletableFuture<Long> SENT_CRC = new CompletableFuture<>();
    private static WebServer backend;
    private static ProxyServer proxy;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        backend = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r
                .put("/sink", (req, res) -> {
                    CRC32 crc = new CRC32();
                    long total = 0;
                    byte[] buffer = new byte[1 << 16];
                    try (InputStream in = req.content().inputStream()) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            crc.update(buffer, 0, n);
                            total += n;
                        }
                    }
                    res.send(total + " " + crc.getValue() + " " + req.headers().contentLength().orElse(-1));
                })
                .get("/source", (req, res) -> {
                    long size = Long.parseLong(req.query().get("size"));
                    PatternStream source = new PatternStream(size);
                    res.headers().contentLength(size);
                    try (OutputStream out = res.outputStream()) {
                        source.transferTo(out);
                    }
                    SENT_CRC.complete(source.crc());
                })).build().start();
        proxy = ProxyServer.start(new LoopbackDialer(backend.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.stop();
    }

    @Test
    void theHeapIsSmallerThanTheBodies() {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(SIZE);
    }

    @Test
    void twoGibibytesGoUp() throws Exception {
        PatternStream body = new PatternStream(SIZE);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(proxy.uri("/sink?identifier=big-1"))
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body),
                                SIZE))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // the backend saw every byte, in order, with the client's Content-Length kept
        assertThat(response.body()).isEqualTo(SIZE + " " + body.crc() + " " + SIZE);
    }

    @Test
    void twoGibibytesComeDown() throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(
                proxy.uri("/source?size=" + SIZE + "&identifier=big-1")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(SIZE);
        CRC32 crc = new CRC32();
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                crc.update(buffer, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(SIZE);
        assertThat(crc.getValue()).isEqualTo(SENT_CRC.get(30, TimeUnit.SECONDS));
    }
}
