package dev.sandpool.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Expect: 100-continue}: the client gets its 100 from this server when the proxy starts
 * reading the body, the body reaches the backend, and the backend never sees {@code Expect} (it
 * would wait for a 100 of its own that nobody reads).
 */
class ContinueTest {

    private static RawBackend countingBackend() throws IOException {
        return RawBackend.start(x -> {
            RawBackend.Request request = x.readRequest();
            byte[] body = request.body(x.in());
            CRC32 crc = new CRC32();
            crc.update(body);
            String answer = body.length + " " + crc.getValue();
            x.write("HTTP/1.1 201 Created\r\nContent-Length: " + answer.length() + "\r\n\r\n" + answer);
        });
    }

    @Test
    void aClientThatWaitsForTheContinueGetsItAndThenItsAnswer() throws Exception {
        try (RawBackend backend = countingBackend();
             ProxyServer proxy = ProxyServer.start(backend.dialer());
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /proxy/upload?identifier=c-1 HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            // a strict client sends nothing more until it has this
            RawClient.Response interim = client.readHead();
            assertThat(interim.status()).isEqualTo(100);
            client.send("hello world");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(201);
            CRC32 crc = new CRC32();
            crc.update("hello world".getBytes(StandardCharsets.US_ASCII));
            assertThat(response.text()).isEqualTo("11 " + crc.getValue());
            RawBackend.Request forwarded = backend.nextRequest();
            assertThat(forwarded.names()).doesNotContain("expect");
            assertThat(forwarded.header("Content-Length")).isEqualTo("11");
        }
    }

    @Test
    void aClientWaitingForTheContinueGetsAnErrorAtOnceWhenTheBackendIsUnreachable() throws Exception {
        try (ProxyServer proxy = ProxyServer.start(timeout -> {
                 throw new java.net.ConnectException("Connection refused");
             });
             RawClient client = new RawClient(proxy.port())) {
            client.send("PUT /proxy/upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000000\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            RawClient.Response response = client.readResponse(); // not a 100: the body is never wanted
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(client.in.read()).isEqualTo(-1);
        }
    }

    @Test
    void theJdkClientWithExpectContinue() throws Exception {
        byte[] body = new byte[4 * 1024 * 1024];
        new java.util.SplittableRandom(3).nextBytes(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        try (RawBackend backend = countingBackend();
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(proxy.uri("/upload"))
                    .expectContinue(true).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(response.body()).isEqualTo(body.length + " " + crc.getValue());
            assertThat(backend.nextRequest().names()).doesNotContain("expect");
        }
    }

    @Test
    void curlUploadingAFile(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        byte[] body = new byte[3 * 1024 * 1024];
        new java.util.SplittableRandom(5).nextBytes(body);
        Path file = Files.write(dir.resolve("upload.bin"), body);
        CRC32 crc = new CRC32();
        crc.update(body);
        try (RawBackend backend = countingBackend();
             ProxyServer proxy = ProxyServer.start(backend.dialer())) {
            Process curl = new ProcessBuilder("/usr/bin/curl", "-sS", "-v", "--max-time", "30",
                    "-H", "Expect: 100-continue", "-T", file.toString(), proxy.uri("/upload").toString())
                    .redirectErrorStream(false).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor()).as(err).isZero();
            assertThat(err).contains("HTTP/1.1 100 Continue");
            assertThat(out).isEqualTo(body.length + " " + crc.getValue());
        }
    }
}
