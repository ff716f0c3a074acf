package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WebSocket upgrades pass through: the backend's 101 reaches the client, then bytes flow both ways
 * until either side closes. Checked with the JDK's WebSocket client against a backend that echoes.
 */
class WebSocketTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Collects whole messages. */
    private static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object message = messages.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a message from the backend").isNotNull();
            return message;
        }
    }

    private static URI ws(ProxyServer proxy, String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + proxy.port() + ProxyServer.PREFIX + pathAndQuery);
    }

    @Test
    void messagesFlowBothWaysUntilClose() throws Exception {
        try (RawBackend backend = RawBackend.start(WebSocketEchoBackend::handle);
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            Collector collector = new Collector();
            WebSocket socket = HTTP.newWebSocketBuilder().subprotocols("chat")
                    .header("Authorization", "Bearer sandpool-api-key")
                    .buildAsync(ws(proxy, "/ws?identifier=w-1&api-version=2025-02-02-preview&room=7"), collector)
                    .get(10, TimeUnit.SECONDS);
            assertThat(socket.getSubprotocol()).isEqualTo("chat");

            socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
            assertThat(collector.next()).isEqualTo("hello");
            String large = "x".repeat(300_000); // several frames' worth, several reads on each side
            socket.sendText(large, true).get(10, TimeUnit.SECONDS);
            assertThat(collector.next()).isEqualTo(large);
            socket.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255}), true).get(10, TimeUnit.SECONDS);
            assertThat(collector.next()).isEqualTo(new byte[] {0, 1, 2, (byte) 255});

            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            assertThat(collector.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);

            RawBackend.Request handshake = backend.nextRequest();
            assertThat(handshake.target()).isEqualTo("/ws?room=7");
            assertThat(handshake.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(handshake.header("Connection")).isEqualTo("Upgrade");
            assertThat(handshake.header("Sec-WebSocket-Key")).isNotBlank();
            assertThat(handshake.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(handshake.names()).doesNotContain("authorization");
        }
    }

    @Test
    void aRefusedHandshakeReachesTheClientAsTheBackendsAnswer() throws Exception {
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope");
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertThatThrownBy(() -> HTTP.newWebSocketBuilder().buildAsync(ws(proxy, "/ws"), new Collector())
                    .get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403));
        }
    }

    @Test
    void anUnreachableBackendGivesTheProxysOwn502() throws Exception {
        try (ProxyServer proxy = ProxyServer.start(timeout -> {
            throw new java.io.IOException("gone");
        })) {
            assertThatThrownBy(() -> HTTP.newWebSocketBuilder().buildAsync(ws(proxy, "/ws"), new Collector())
                    .get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(502));
        }
    }

    @Test
    void filtersRunBeforeTheSwitch() throws Exception {
        try (RawBackend backend = RawBackend.start(WebSocketEchoBackend::handle);
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            assertThatThrownBy(() -> HTTP.newWebSocketBuilder().buildAsync(ws(proxy, "/ws?deny=1"), new Collector())
                    .get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(401));
            assertThat(backend.requests).isEmpty();
        }
    }

    @Test
    void anUpgradeOutsideTheProxyIsRoutedAsUsual() throws Exception {
        try (RawBackend backend = RawBackend.start(WebSocketEchoBackend::handle);
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            client.send("GET /plain HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).isEqualTo("plain route");
            assertThat(backend.requests).isEmpty();
        }
    }
}
