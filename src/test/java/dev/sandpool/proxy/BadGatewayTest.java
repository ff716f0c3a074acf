package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A container that refuses, dies or talks nonsense gives 502 in Azure's error shape; a slow one
 * gives 504 after the configured time; one that dies in the middle of a body too large to hold
 * ends the client's connection, so a cut body is never taken for a whole one.
 */
class BadGatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<String> get(ProxyServer proxy) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(proxy.uri("/x?identifier=s-1")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAzureError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue(code);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(response.body()).matches("\\{\"error\":\\{\"code\":\"" + code + "\",\"message\":\"[^\"]+\"}}");
    }

    @Test
    void aRefusedConnectionIs502() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (ProxyServer proxy = ProxyServer.start(new LoopbackDialer(closedPort))) {
            assertAzureError(get(proxy), 502, "BadGateway");
        }
    }

    @Test
    void aFailingDialerIs502() throws Exception {
        try (ProxyServer proxy = ProxyServer.start(timeout -> {
            throw new IOException("the sandbox's network namespace is gone");
        })) {
            HttpResponse<String> response = get(proxy);
            assertAzureError(response, 502, "BadGateway");
            assertThat(response.body()).doesNotContain("namespace"); // internals stay inside
        }
    }

    @Test
    void aConnectTimeoutIs504() throws Exception {
        try (ProxyServer proxy = ProxyServer.start(timeout -> {
            throw new SocketTimeoutException("connect timed out");
        })) {
            assertAzureError(get(proxy), 504, "GatewayTimeout");
        }
    }

    @Test
    void aBackendThatClosesBeforeAnsweringIs502() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.Exchange::readRequest);
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertAzureError(get(proxy), 502, "BadGateway");
        }
    }

    @Test
    void aBackendThatClosesWithoutReadingIs502() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> { });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertAzureError(get(proxy), 502, "BadGateway");
        }
    }

    @Test
    void aBackendThatDiesInTheMiddleOfItsHeadIs502() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nContent-Ty");
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertAzureError(get(proxy), 502, "BadGateway");
        }
    }

    @Test
    void aBackendThatIsNotHttpIs502() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertAzureError(get(proxy), 502, "BadGateway");
        }
    }

    @Test
    void aSlowBackendIs504AfterTheResponseTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 release.await(); // never answers while the test runs
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer(), Duration.ofSeconds(5), Duration.ofMillis(300))) {
            assertAzureError(get(proxy), 504, "GatewayTimeout");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aSlowUploadIsNotASlowBackend() throws Exception {
        // the backend answers only after the whole body, which takes longer than the response timeout
        try (RawBackend backend = RawBackend.start(x -> {
                 RawBackend.Request request = x.readRequest();
                 byte[] body = request.body(x.in());
                 x.write("HTTP/1.1 200 OK\r\nContent-Length: " + Integer.toString(body.length).length() + "\r\n\r\n"
                         + body.length);
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer(), Duration.ofSeconds(5), Duration.ofMillis(400));
             RawClient client = new RawClient(proxy.port())) {
            client.send("POST /proxy/slow HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\n");
            for (int i = 0; i < 5; i++) {
                Thread.sleep(200);
                client.send("x");
            }
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).isEqualTo("5");
        }
    }

    @Test
    void aBackendThatDiesInTheMiddleOfALengthBodyEndsTheClientConnection() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(proxy.uri("/cut")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aBackendThatDiesInTheMiddleOfASmallLengthBodyIs502() throws Exception {
        // a body this small is read whole before the head goes out, so the client still gets an answer
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(1000));
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            HttpResponse<String> response = get(proxy);
            assertAzureError(response, 502, "BadGateway");
            assertThat(response.body()).contains("1000 of the 5000 bytes");
        }
    }

    @Test
    void aBackendThatDiesInTheMiddleOfAChunkedBodyEndsTheClientConnection() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n100\r\nshort");
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /proxy/cut HTTP/1.1\r\nHost: test\r\n\r\n");
            // the client never sees the last chunk: the connection ends instead
            assertThatThrownBy(client::readResponse).isInstanceOf(IOException.class);
        }
    }
}
