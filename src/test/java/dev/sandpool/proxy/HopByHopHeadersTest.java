package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1) stop at the proxy in both directions, including those a
 * message names in {@code Connection}; the caller's {@code Authorization} never reaches the
 * container; forwarding fields are added.
 */
class HopByHopHeadersTest {
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\n"
            + "Connection: close, X-Resp-Private\r\n"
            + "X-Resp-Private: 1\r\n"
            + "Keep-Alive: timeout=1\r\n"
            + "Proxy-Authenticate: Basic realm=x\r\n"
            + "Proxy-Connection: close\r\n"
            + "Upgrade: foo\r\n"
            + "Trailer: X-T\r\n"
            + "X-Resp-Public: yes\r\n"
            + "Set-Cookie: a=1\r\n"
            + "Set-Cookie: b=2\r\n"
            + "Content-Length: 2\r\n\r\nok";

    @Test
    void requestFieldsAreFilteredAndForwardingFieldsAdded() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write(RESPONSE);
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /proxy/echo?identifier=abc&x=1&api-version=2025-02-02-preview HTTP/1.1\r\n"
                    + "Host: sandpool.example:8080\r\n"
                    + "Connection: keep-alive, X-Custom\r\n"
                    + "X-Custom: secret\r\n"
                    + "X-Keep: kept\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-T\r\n"
                    + "Upgrade: foo/1\r\n"
                    + "Proxy-Authorization: Basic YTpi\r\n"
                    + "Authorization: Bearer sandpool-api-key\r\n"
                    + "X-Forwarded-For: 10.1.2.3\r\n"
                    + "Forwarded: for=10.1.2.3\r\n"
                    + "X-Forwarded-Proto: gopher\r\n"
                    + "Cookie: session=1\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);

            RawBackend.Request seen = backend.nextRequest();
            assertThat(seen.target()).isEqualTo("/echo?x=1");
            assertThat(seen.names()).doesNotContain("x-custom", "keep-alive", "proxy-connection", "te", "trailer",
                    "upgrade", "proxy-authorization", "authorization", "expect", "transfer-encoding");
            assertThat(seen.all("Connection")).containsExactly("close");
            assertThat(seen.header("Host")).isEqualTo("sandpool.example:8080");
            assertThat(seen.header("X-Keep")).isEqualTo("kept");
            assertThat(seen.header("Cookie")).isEqualTo("session=1");
            assertThat(seen.all("X-Forwarded-For")).containsExactly("10.1.2.3, 127.0.0.1");
            assertThat(seen.all("X-Forwarded-Proto")).containsExactly("http");
            assertThat(seen.all("X-Forwarded-Host")).containsExactly("sandpool.example:8080");
            assertThat(seen.all("Forwarded"))
                    .containsExactly("for=10.1.2.3, for=127.0.0.1;host=\"sandpool.example:8080\";proto=http");
            assertThat(seen.all("Via")).containsExactly("1.1 sandpool");
        }
    }

    @Test
    void responseFieldsAreFilteredAndTheClientConnectionOutlivesTheBackends() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write(RESPONSE);
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            for (int i = 0; i < 2; i++) { // the backend's "Connection: close" is its own connection's business
                client.send("GET /proxy/r HTTP/1.1\r\nHost: test\r\n\r\n");
                RawClient.Response response = client.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.text()).isEqualTo("ok");
                assertThat(response.headers().stream().map(h -> h[0].toLowerCase()).toList())
                        .doesNotContain("x-resp-private", "keep-alive", "proxy-authenticate", "proxy-connection",
                                "upgrade", "trailer");
                assertThat(response.all("Connection")).doesNotContain("close");
                assertThat(response.header("X-Resp-Public")).isEqualTo("yes");
                assertThat(response.all("Set-Cookie")).containsExactly("a=1", "b=2");
            }
        }
    }
}
