package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.testing.TestingRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server inside a sandbox is reached through its network namespace, with no host port: the
 * sandbox listens on the same port number as a host listener, and the dialer must land inside.
 */
class NamespaceDialerTest {
    @Test
    void connectsToTheSandboxsOwnLoopbackNotTheHosts() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime();
             ServerSocket host = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = host.getLocalPort();
            String server = """
                    import socket
                    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(('127.0.0.1', %d)); s.listen(4)
                    while True:
                        c, _ = s.accept(); c.recv(1024)
                        c.sendall(b'HTTP/1.0 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\ninside'); c.close()
                    """.formatted(port);
            Sandbox sandbox = sandboxes.runtime.start(new SandboxSpec(List.of("/usr/bin/python3", "-c", server), Map.of(),
                    new ResourceLimits(DataSize.parse("128Mi"), 0.5, 32), Map.of()));
            try {
                String answer = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> get(sandbox.connect(port, Duration.ofSeconds(2))), a -> a.endsWith("inside"));
                assertThat(answer).startsWith("HTTP/1.0 200 OK");
                // later connections, from the spare sockets one trip into the namespace made, land inside too
                for (int i = 0; i < 10; i++) {
                    assertThat(get(sandbox.connect(port, Duration.ofSeconds(2)))).endsWith("inside");
                }
                // nothing listens inside on other ports, whatever the host has
                assertThatThrownBy(() -> sandbox.connect(port + 1, Duration.ofSeconds(2))).isInstanceOf(IOException.class);
            } finally {
                sandbox.close();
            }
            assertThatThrownBy(() -> sandbox.connect(port, Duration.ofSeconds(1))).isInstanceOf(IOException.class);
        }
    }

    private static String get(Socket socket) throws IOException {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
