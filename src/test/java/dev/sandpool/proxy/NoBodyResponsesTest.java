package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Answers without a body (HEAD, 204, 304) end at their headers whatever length fields they carry,
 * and the client's connection stays usable after them.
 */
class NoBodyResponsesTest {

    @Test
    void headKeepsTheLengthAndSendsNoBody() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: application/pdf\r\n\r\n");
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            client.send("HEAD /proxy/doc HTTP/1.1\r\nHost: test\r\n\r\n");
            RawClient.Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("1234");
            assertThat(backend.nextRequest().method()).isEqualTo("HEAD");
            assertNextResponseIsClean(client);
        }
    }

    @Test
    void noContentAndNotModifiedEndAtTheirHeaders() throws Exception {
        for (String status : new String[] {"204 No Content", "304 Not Modified"}) {
            try (RawBackend backend = RawBackend.start(x -> {
                     x.readRequest();
                     x.write("HTTP/1.1 " + status + "\r\nETag: \"v1\"\r\n\r\n");
                 });
                 ProxyServer proxy = ProxyServer.start(backend.dialer());
                 RawClient client = new RawClient(proxy.port())) {
                client.send("GET /proxy/r HTTP/1.1\r\nHost: test\r\n\r\n");
                RawClient.Response response = client.readHead();
                assertThat(response.status()).isEqualTo(Integer.parseInt(status.substring(0, 3)));
                assertThat(response.header("ETag")).isEqualTo("\"v1\"");
                assertThat(response.header("Transfer-Encoding")).isNull();
                assertNextResponseIsClean(client);
            }
        }
    }

    /** A stray body byte would be read here as the start of the next status line. */
    private static void assertNextResponseIsClean(RawClient client) throws Exception {
        client.send("GET /plain HTTP/1.1\r\nHost: test\r\n\r\n");
        RawClient.Response next = client.readResponse();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.text()).isEqualTo("plain route");
    }
}
