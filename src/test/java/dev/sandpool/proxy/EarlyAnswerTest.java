package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A backend that answers before it has the whole body (a 413, say): the client gets the answer
 * while it is still uploading, and its connection stays in step afterwards (the rest of the body is
 * discarded, never read as a next request).
 */
class EarlyAnswerTest {

    @Test
    void theAnswerArrivesMidUploadAndTheConnectionStaysUsable() throws Exception {
        int size = 32 * 1024 * 1024;
        CountDownLatch answered = new CountDownLatch(1);
        try (RawBackend backend = RawBackend.start(x -> {
                 x.readRequest();
                 x.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!");
                 x.in().transferTo(OutputStream.nullOutputStream()); // a polite server reads on until the proxy stops
             });
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    client.send("PUT /proxy/file HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
                    byte[] block = new byte[64 * 1024];
                    java.util.Arrays.fill(block, (byte) 'G'); // would read as a request if the body were parsed
                    for (int sent = 0; sent < size; sent += block.length) {
                        if (sent == size / 2) {
                            answered.await(10, TimeUnit.SECONDS); // the rest goes after the answer
                        }
                        client.out.write(block);
                    }
                    client.out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            RawClient.Response response = client.readResponse();
            answered.countDown();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.text()).isEqualTo("too big!");
            upload.get(30, TimeUnit.SECONDS);

            client.send("GET /plain HTTP/1.1\r\nHost: test\r\n\r\n");
            RawClient.Response next = client.readResponse();
            assertThat(next.status()).isEqualTo(200);
            assertThat(new String(next.body(), StandardCharsets.UTF_8)).isEqualTo("plain route");
        }
    }
}
