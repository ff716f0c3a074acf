package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.assertAzureShape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ConnectionTimeouts;
import dev.sandpool.proxy.RawClient;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Giant headers and URLs, broken request lines, header blocks and body framing, sent on raw
 * sockets because no HTTP client sends them: each gets a 4xx in Azure's shape or, where HTTP leaves
 * nothing else to say, a closed connection; never a 5xx, never harm.
 */
class HostileFramingTest {
    // a body whose framing lies (a chunk longer than announced) looks like a stalled body: ended by the body timeout
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer(new ConnectionTimeouts(null, null, Duration.ofSeconds(2)));

    /** The server's whole answer to raw bytes: a response, or null when it only closed the connection. */
    static RawClient.Response answer(byte[] request) throws IOException {
        try (RawClient raw = new RawClient(SERVER.get().port())) {
            try {
                raw.send(request);
            } catch (SocketException e) {
                // the server may close before reading everything; what it answered is still readable
            }
            try {
                return raw.readResponse();
            } catch (java.io.EOFException | SocketException e) {
                return null;
            }
        }
    }

    static void assertRefused(String what, byte[] request) throws IOException {
        RawClient.Response r = answer(request);
        if (r != null) {
            assertThat(r.status()).as(what + ": " + r.text()).isBetween(400, 499);
            assertAzureShape(r.status(), r.header("x-ms-error-code"), r.text());
        }
    }

    static void assertRefused(String what, String request) throws IOException {
        assertRefused(what, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String execute(String extraHeaders, String body) {
        return "POST /pools/" + POOL + "/code/execute?identifier=framing-hx7q" + V1 + " HTTP/1.1\r\nHost: localhost\r\n"
                + SERVER.get().authorization() + "Content-Type: application/json\r\n" + extraHeaders + "\r\n" + body;
    }

    @Test
    void giantHeadersAndUrls() throws IOException {
        for (int size : new int[] {20_000, 100_000, 2_000_000}) {
            assertRefused("header value " + size, execute("X-Big: " + "a".repeat(size) + "\r\nContent-Length: 2\r\n", "{}"));
            assertRefused("URL " + size, "GET /pools/" + POOL + "/files?identifier=" + "a".repeat(size) + " HTTP/1.1\r\n"
                    + "Host: localhost\r\n" + SERVER.get().authorization() + "\r\n");
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertRefused("20000 headers", execute(many + "Content-Length: 2\r\n", "{}"));
        assertRefused("one huge header name", execute("X" + "n".repeat(50_000) + ": v\r\nContent-Length: 2\r\n", "{}"));
    }

    @Test
    void aUrlAsLongAsTheLongestLegalPathIsAnswered() throws IOException {
        String path = String.join("/", java.util.Collections.nCopies(16, "%C3%A9".repeat(42) + "x".repeat(3)));
        assertThat(path.length()).isGreaterThan(4000);
        RawClient.Response r = answer(("GET /pools/" + POOL + "/files/content/" + path + "?identifier=long-url-hx7q" + V1
                + " HTTP/1.1\r\nHost: localhost\r\n" + SERVER.get().authorization() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r).isNotNull();
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("x-ms-error-code")).isEqualTo("FileNotFound");
    }

    @Test
    void brokenRequestLinesAndHeaderBlocks() throws IOException {
        for (String request : List.of(
                "\r\n\r\n", "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /healthz\r\n\r\n", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n", "G\u0000T /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /he\u0000lthz HTTP/1.1\r\nHost: x\r\n\r\n", "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", "GET /healthz HTTP/1.1\r\n: empty\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /%zz%%/x HTTP/1.1\r\nHost: x\r\n\r\n", "GET /pools/%00/files?identifier=%00%ff HTTP/1.1\r\nHost: x\r\n\r\n",
                "\u00ff\u00fe\u0000\u0001binary\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
            assertRefused(request, request);
        }
    }

    @Test
    void brokenBodyFraming() throws IOException {
        String body = "{\"properties\":{\"code\":\"1\"}}";
        for (String headers : List.of("Content-Length: -5\r\n", "Content-Length: abc\r\n", "Content-Length: 99999999999999999999999\r\n",
                "Content-Length: 5\r\nContent-Length: 7\r\n", "Content-Length: 5, 7\r\n",
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip\r\n",
                "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")) {
            assertRefused(headers, execute(headers, body));
        }
        for (String chunks : List.of("zz\r\nabc\r\n0\r\n\r\n", "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
                "-1\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "1b;" + "x".repeat(100_000) + "\r\n" + body + "\r\n0\r\n\r\n",
                "1b\r\n" + body + "\r\n0\r\nTrailer: " + "t".repeat(100_000) + "\r\n\r\n", "3\r\nabc")) {
            assertRefused(chunks, execute("Transfer-Encoding: chunked\r\n", chunks));
        }
    }

    @Test
    void theServerStillAnswersOnAReusedConnectionAfterARefusal() throws IOException {
        try (RawClient raw = new RawClient(SERVER.get().port())) {
            raw.send(execute("Content-Length: 2\r\n", "{}"));
            RawClient.Response refused = raw.readResponse();
            assertThat(refused.status()).isEqualTo(400);
            raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(200);
        }
    }
}
