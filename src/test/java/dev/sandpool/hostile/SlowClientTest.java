package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ConnectionTimeouts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow-loris clients: many connections that dribble a request line, a header block or a body a
 * byte at a time, or stop sending their body, are closed by the server's timeouts (one second
 * here, so the test is quick), while ordinary clients are served the whole time.
 */
class SlowClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration DRIBBLE = Duration.ofMillis(200);
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer(new ConnectionTimeouts(TIMEOUT, TIMEOUT, TIMEOUT));

    /**
     * A connection that sends a prefix at once, then a byte of {@code dribble} every {@link #DRIBBLE}
     * forever (nothing more when it is empty), and notices when the server closes it.
     */
    private static final class Dribbler implements AutoCloseable {
        private final Socket socket;
        private final AtomicBoolean closedByServer = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Dribbler(String prefix, String dribble) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.get().port());
            socket.getOutputStream().write(prefix.getBytes(StandardCharsets.ISO_8859_1));
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; !dribble.isEmpty(); i = (i + 1) % dribble.length()) {
                        socket.getOutputStream().write(dribble.charAt(i));
                        socket.getOutputStream().flush();
                        Thread.sleep(DRIBBLE);
                    }
                } catch (IOException e) {
                    serverClosed();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    // an answer (400) may come first; the end of the stream is what counts
                    while (in.read() >= 0) {
                        // discard
                    }
                    closedByServer.set(true);
                } catch (IOException e) {
                    serverClosed();
                }
            }));
        }

        /** A failed read or write counts when this side did not close the socket itself. */
        private void serverClosed() {
            if (!socket.isClosed()) {
                closedByServer.set(true);
            }
        }

        boolean closedByServer() {
            return closedByServer.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.forEach(Thread::interrupt);
        }
    }

    private static void assertAllClosedWhileOthersAreServed(List<Dribbler> dribblers) throws IOException {
        try {
            // served while the slow clients are still connected
            for (int i = 0; i < 3; i++) {
                // (the one-second idle timeout may close the client's pooled connection as it is reused)
                await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class)
                        .untilAsserted(() -> assertThat(SERVER.get().client.execute(POOL, "served-meanwhile", "21*2")
                                .properties().path("result").asInt()).isEqualTo(42));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> dribblers.stream().allMatch(Dribbler::closedByServer));
        } finally {
            for (Dribbler d : dribblers) {
                d.close();
            }
        }
    }

    @Test
    void dribbledRequestLinesAreClosed() throws IOException {
        List<Dribbler> dribblers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            dribblers.add(new Dribbler("", "GET /healthz?x=" + "a".repeat(1000)));
        }
        assertAllClosedWhileOthersAreServed(dribblers);
    }

    @Test
    void dribbledHeaderBlocksAreClosed() throws IOException {
        List<Dribbler> dribblers = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            dribblers.add(new Dribbler("GET /healthz HTTP/1.1\r\nHost: localhost\r\n", "X-Slow: " + "s".repeat(1000)));
        }
        assertAllClosedWhileOthersAreServed(dribblers);
    }

    @Test
    void stalledBodiesAreClosed() throws IOException {
        List<Dribbler> dribblers = new ArrayList<>();
        for (String route : List.of("/pools/" + POOL + "/code/execute?identifier=slow-body-hx7q" + V1,
                "/pools/" + POOL + "/files/upload?identifier=slow-body-hx7q" + V1,
                "/management/pools/slow-pool?api-version=2025-10-02-preview")) {
            for (int i = 0; i < 5; i++) {
                String head = (route.startsWith("/management") ? "PUT " : "POST ") + route + " HTTP/1.1\r\nHost: localhost\r\n"
                        + SERVER.get().authorization() + "Content-Type: multipart/form-data; boundary=b\r\n"
                        + "Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.txt\"\r\n\r\n";
                dribblers.add(new Dribbler(head, ""));
            }
        }
        assertAllClosedWhileOthersAreServed(dribblers);
        // the stalled uploads left no temporary file behind
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class)
                .untilAsserted(() -> assertThat(SERVER.get().client.execute(POOL,
                "slow-body-hx7q", "import os\nos.listdir('/mnt/data')").properties().path("result").toString()).isEqualTo("[]"));
    }
}
