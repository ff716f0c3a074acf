package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.testing.TestingServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Uploads and downloads stream: a file larger than this JVM's whole heap (surefire runs it with
 * -Xmx1g) goes through the server, which runs in the same JVM, and comes back intact.
 */
class StreamingUploadTest {
    private static final long SIZE = 1_200L * 1024 * 1024;

    @Test
    void aFileLargerThanTheHeapRoundTrips() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(SIZE);
        try (TestingServer server = TestingServer.start(ExecutionConfig.defaults(),
                new FilesConfig(DataSize.parse("1500Mi"), DataSize.parse("2Gi")), TestingServer.pool("big", 1, 0, 300))) {
            String boundary = "stream-boundary-7";
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            PatternStream content = new PatternStream(SIZE);
            InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                    new ByteArrayInputStream(head), content, new ByteArrayInputStream(tail))));
            HttpClient http = HttpClient.newHttpClient();
            String base = server.server.baseUrl() + "/pools/big";
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base
                            + "/files/upload?identifier=huge-0001&api-version=2024-02-02-preview"))
                    .header("Authorization", "Bearer " + server.server.apiKey().orElseThrow().key())
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body),
                            head.length + SIZE + tail.length))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            assertThat(up.body()).contains("\"size\":" + SIZE);

            HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create(base
                            + "/files/content/huge.bin?identifier=huge-0001&api-version=2024-02-02-preview"))
                    .header("Authorization", "Bearer " + server.server.apiKey().orElseThrow().key()).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            CRC32 crc = new CRC32();
            long total = 0;
            try (InputStream in = down.body()) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    crc.update(buffer, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(SIZE);
            assertThat(crc.getValue()).isEqualTo(content.crc());
        }
    }

    /** A deterministic byte stream of a given length that never exists as a whole in memory. */
    static final class PatternStream extends InputStream {
        private final long length;
        private final CRC32 crc = new CRC32();
        private long position;

        PatternStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = (byte) ((p * 31) ^ (p >>> 11));
            }
            crc.update(b, off, n);
            position += n;
            return n;
        }

        long crc() {
            return crc.getValue();
        }
    }
}
