package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ConnectionTimeouts;
import dev.sandpool.testing.AzureClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded-time fuzzer over everything that parses a request: request lines, identifiers and
 * file paths in URLs and queries, headers and framing, JSON bodies of the execute and management
 * routes, multipart bodies. Requests are seeded mutations of well-formed ones
 * ({@link RequestMutator}); the oracle: every answer is a well-formed HTTP response (or a closed
 * connection) with a status below 500, every 4xx is in Azure's shape, and the canary session's file
 * survives (checked as the run goes and at its end).
 * <p>
 * {@code -Dsandpool.fuzz.seconds=N} sets the run's length (20 by default);
 * {@code -Dsandpool.fuzz.seed=S} replays a run: the seed is printed at the start and in every failure.
 */
class RequestFuzzTest {
    private static final Duration SHORT = Duration.ofSeconds(1);
    // the idle timeout stays long: a short one races the test client's pooled keep-alive connections
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer(new ConnectionTimeouts(null, SHORT, SHORT));

    private static List<RequestMutator.Request> corpus() {
        String json = "Content-Type: application/json";
        String multipart = "Content-Type: multipart/form-data; boundary=fz";
        byte[] upload = AzureClient.multipart("fz", "form-data; name=\"file\"; filename=\"hx7q-fuzz.txt\"",
                "application/octet-stream", "fuzz".getBytes());
        String p = "/pools/" + POOL;
        List<RequestMutator.Request> corpus = new ArrayList<>();
        corpus.add(request("POST " + p + "/code/execute?identifier=fuzz-0001" + V1, json,
                "{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"1+1\",\"timeoutInSeconds\":5}}"));
        corpus.add(request("POST " + p + "/executions?identifier=fuzz-0002" + V2, json,
                "{\"code\":\"1+1\",\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\",\"timeoutInSeconds\":5}"));
        corpus.add(new RequestMutator.Request("POST " + p + "/files/upload?identifier=fuzz-0001" + V1 + " HTTP/1.1",
                List.of("Host: localhost", multipart), upload, true));
        corpus.add(new RequestMutator.Request("POST " + p + "/files?identifier=fuzz-0002" + V2 + "&path=/mnt/data/sub HTTP/1.1",
                List.of("Host: localhost", multipart), upload, true));
        corpus.add(request("GET " + p + "/files?identifier=fuzz-0002" + V2 + "&path=sub&recursive=true", null, ""));
        corpus.add(request("GET " + p + "/files/content/hx7q-fuzz.txt?identifier=fuzz-0001" + V1, null, ""));
        corpus.add(request("GET " + p + "/files/sub%2Fhx7q-fuzz.txt/content?identifier=fuzz-0002" + V2, null, ""));
        corpus.add(request("DELETE " + p + "/files/sub/hx7q-fuzz.txt?identifier=fuzz-0002" + V2, null, ""));
        corpus.add(request("GET " + p + "/python/downloadFile?identifier=fuzz-0001&filename=hx7q-fuzz.txt", null, ""));
        corpus.add(request("GET " + p + "/session?identifier=fuzz-0003&api-version=2025-10-02-preview", null, ""));
        corpus.add(request("GET " + p + "/listSessions?skip=0&api-version=2025-10-02-preview", null, ""));
        corpus.add(request("PUT /management/pools/fuzz-pool?api-version=2025-10-02-preview", json,
                "{\"properties\":{\"containerType\":\"PythonLTS\",\"scaleConfiguration\":{\"maxConcurrentSessions\":1,"
                        + "\"readySessionInstances\":0},\"dynamicPoolConfiguration\":{\"lifecycleConfiguration\":"
                        + "{\"lifecycleType\":\"Timed\",\"cooldownPeriodInSeconds\":60}},\"sessionNetworkConfiguration\":"
                        + "{\"status\":\"EgressDisabled\"},\"sandpoolConfiguration\":{\"cpu\":0.5,\"memory\":\"128Mi\"}}}"));
        corpus.add(request("PATCH /management/pools/" + POOL + "-absent?api-version=2025-10-02-preview", json,
                "{\"properties\":{\"scaleConfiguration\":{\"readySessionInstances\":0}}}"));
        corpus.add(request("GET /management/pools?api-version=2025-10-02-preview", null, ""));
        return corpus;
    }

    private static RequestMutator.Request request(String line, String contentType, String body) {
        List<String> headers = new ArrayList<>(List.of("Host: localhost"));
        if (contentType != null) {
            headers.add(contentType);
        }
        return new RequestMutator.Request(line + " HTTP/1.1", headers, body.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void mutatedRequestsNeverGetA5xxNorHarmTheServer() throws Exception {
        long seed = Long.getLong("sandpool.fuzz.seed", new Random().nextLong());
        Duration length = Duration.ofSeconds(Long.getLong("sandpool.fuzz.seconds", 20));
        System.out.println("RequestFuzzTest seed=" + seed + " (replay: -Dsandpool.fuzz.seed=" + seed + ")");
        RequestMutator mutator = new RequestMutator(seed);
        Random pick = new Random(seed ^ 0x5eed);
        List<RequestMutator.Request> corpus = corpus();
        Instant end = Instant.now().plus(length);
        int sent = 0;
        while (Instant.now().isBefore(end)) {
            RequestMutator.Request request = mutator.mutate(corpus.get(pick.nextInt(corpus.size())), corpus);
            byte[] bytes = request.bytes(SERVER.get().authorization());
            String replay = "seed " + seed + ", request " + sent + ":\n" + printable(bytes);
            byte[] answer = exchange(bytes);
            assertWellFormed(answer, replay);
            if (request.requestLine().contains("/management/")) {
                removeFuzzPools();
            }
            if (++sent % 150 == 0) {
                SERVER.get().assertUnharmed();
            }
        }
        System.out.println("RequestFuzzTest sent " + sent + " requests (seed " + seed + ")");
        assertThat(sent).isPositive();
    }

    /** Sends, half-closes (so that a body shorter than announced ends at once), and reads all the server says. */
    private static byte[] exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.get().port())) {
            socket.setSoTimeout(60_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server answered and closed before reading everything; its answer is still there
            }
            try {
                return socket.getInputStream().readAllBytes();
            } catch (java.net.SocketException e) {
                return new byte[0];
            }
        }
    }

    /** Every response in {@code answer} (pipelined bytes in a body can make several) passes the oracle. */
    private static void assertWellFormed(byte[] answer, String replay) throws IOException {
        InputStream in = new ByteArrayInputStream(answer);
        while (in.available() > 0) {
            String statusLine = line(in);
            assertThat(statusLine).as(replay).matches("HTTP/1\\.1 \\d{3} .*");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            String errorCode = null;
            String contentLength = null;
            boolean chunked = false;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                assertThat(colon).as(replay + "\nheader " + h).isPositive();
                String name = h.substring(0, colon).trim();
                String value = h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("x-ms-error-code")) {
                    errorCode = value;
                } else if (name.equalsIgnoreCase("content-length")) {
                    contentLength = value;
                } else if (name.equalsIgnoreCase("transfer-encoding")) {
                    chunked = value.equalsIgnoreCase("chunked");
                }
            }
            if (status < 200) {
                continue;
            }
            byte[] body = chunked ? chunkedBody(in, replay) : in.readNBytes(contentLength == null ? 0 : Integer.parseInt(contentLength));
            String text = new String(body, StandardCharsets.UTF_8);
            assertThat(status).as(replay + "\nanswer: " + statusLine + " " + text).isLessThan(500);
            if (status >= 400) {
                HostileServer.assertAzureShape(status, errorCode, text);
            }
        }
    }

    private static byte[] chunkedBody(InputStream in, String replay) throws IOException {
        var body = new java.io.ByteArrayOutputStream();
        for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0; n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
            body.writeBytes(in.readNBytes(n));
            assertThat(line(in)).as(replay).isEmpty();
        }
        while (!line(in).isEmpty()) {
            // trailers
        }
        return body.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        var line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 2000); i++) {
            int b = bytes[i] & 0xff;
            out.append(b == '\n' || b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b));
        }
        return bytes.length > 2000 ? out + "... (" + bytes.length + " bytes)" : out.toString();
    }

    /** Pools a mutated management request made go at once, so that none of them starts sandboxes for long. */
    private static void removeFuzzPools() {
        var pools = SERVER.get().client.send("GET", "/management/pools?api-version=2025-10-02-preview", null);
        for (var pool : pools.json().path("value")) {
            String name = pool.path("name").asString();
            if (!name.equals(POOL)) {
                SERVER.get().client.send("DELETE", "/management/pools/" + name + "?api-version=2025-10-02-preview", null);
            }
        }
    }
}
