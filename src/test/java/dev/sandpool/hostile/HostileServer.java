package dev.sandpool.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ConnectionTimeouts;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.proxy.RawClient;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.JsonNode;

/**
 * A real server under attack, with a canary: a session holding a random file that every hostile
 * request must leave intact, and a check that no file named with {@link #MARKER} (every hostile
 * name carries it) appeared on the host anywhere but inside some session's /mnt/data.
 */
final class HostileServer implements AutoCloseable {
    static final String MARKER = "hx7q";
    static final String POOL = "hostile";
    static final String V1 = "&api-version=2024-02-02-preview";
    static final String V2 = "&api-version=2025-02-02-preview";
    private static final String CANARY_ID = "canary-session-0001";
    final TestingServer testing;
    final AzureClient client;
    private final byte[] canary = new byte[100_000];

    private HostileServer(TestingServer testing) {
        this.testing = testing;
        this.client = testing.client;
        new Random(42).nextBytes(canary);
        var up = client.upload("/pools/" + POOL + "/files/upload?identifier=" + CANARY_ID + V1,
                "multipart/form-data; boundary=canary", AzureClient.multipart("canary",
                        "form-data; name=\"file\"; filename=\"canary.bin\"", null, canary));
        assertThat(up.status()).as(up.body()).isEqualTo(200);
    }

    static HostileServer start(ConnectionTimeouts timeouts) throws IOException {
        return new HostileServer(TestingServer.start(timeouts, ExecutionConfig.defaults(),
                new FilesConfig(DataSize.parse("4Mi"), DataSize.parse("16Mi")), TestingServer.pool(POOL, 20, 1, 300)));
    }

    int port() {
        return testing.server.port();
    }

    String authorization() {
        return "Authorization: Bearer " + testing.server.apiKey().orElseThrow().key() + "\r\n";
    }

    /** One request on a fresh connection, as raw bytes; its response. */
    RawClient.Response exchange(byte[] request) throws IOException {
        try (RawClient raw = new RawClient(port())) {
            raw.send(request);
            return raw.readResponse();
        }
    }

    RawClient.Response exchange(String request) throws IOException {
        return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A request with the key and a body framed by Content-Length. */
    RawClient.Response post(String pathAndQuery, String contentType, byte[] body) throws IOException {
        return request(pathAndQuery.startsWith("/management") ? "PUT" : "POST", pathAndQuery, contentType, body);
    }

    RawClient.Response request(String method, String pathAndQuery, String contentType, byte[] body) throws IOException {
        byte[] head = (method + " " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n" + authorization()
                + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return exchange(all);
    }

    static void assertAzureError(RawClient.Response r, int... statuses) {
        assertThat(r.status()).as(r.text()).isIn(box(statuses));
        assertAzureShape(r.status(), r.header("x-ms-error-code"), r.text());
    }

    static void assertAzureError(AzureClient.Response r, int... statuses) {
        assertThat(r.status()).as(r.body()).isIn(box(statuses));
        assertAzureShape(r.status(), r.header("x-ms-error-code"), r.body());
    }

    static void assertAzureShape(int status, String codeHeader, String body) {
        assertThat(status).as(body).isBetween(400, 499);
        JsonNode error = AzureClient.JSON.readTree(body).path("error");
        assertThat(error.path("code").asString()).as(body).isNotBlank().isEqualTo(codeHeader);
        assertThat(error.path("message").asString()).as(body).isNotBlank();
    }

    private static Object[] box(int... statuses) {
        return java.util.Arrays.stream(statuses).boxed().toArray();
    }

    /** The server still serves, the canary's file is intact, and no marked file escaped to the host. */
    void assertUnharmed() {
        var download = client.download("/pools/" + POOL + "/files/content/canary.bin?identifier=" + CANARY_ID + V1);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(canary);
        var list = client.send("GET", "/pools/" + POOL + "/files?identifier=" + CANARY_ID + V1, null);
        assertThat(list.json().path("value").findValuesAsString("filename")).containsExactly("canary.bin");
        assertThat(client.execute(POOL, CANARY_ID, "len(open('/mnt/data/canary.bin','rb').read())").properties()
                .path("result").asInt()).isEqualTo(canary.length);
        assertThat(markedFilesOutsideSessionData()).isEmpty();
    }

    /** Files and directories named with the marker outside every session's data directory. */
    List<Path> markedFilesOutsideSessionData() {
        Path sessions = testing.dataDir().resolve("sessions");
        List<Path> found = new java.util.ArrayList<>();
        for (Path top : List.of(testing.dataDir(), Path.of("/tmp"), Path.of("/etc"), Path.of("/"))) {
            marked(top, top.equals(Path.of("/")) ? 1 : 8, found);
        }
        // <sessions>/<id>/volume/data/...: a session's volume is mounted there while its sandbox starts
        int base = sessions.getNameCount();
        return found.stream().filter(p -> !(p.startsWith(sessions) && p.getNameCount() > base + 2
                && p.getName(base + 1).toString().equals("volume") && p.getName(base + 2).toString().equals("data"))).toList();
    }

    /** A walk that shrugs off entries other processes delete or hide meanwhile. */
    private static void marked(Path top, int depth, List<Path> into) {
        try {
            Files.walkFileTree(top, java.util.Set.of(), depth, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                    check(dir);
                    return dir.startsWith("/proc") || dir.startsWith("/sys") ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                            : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                    check(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                    check(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                private void check(Path p) {
                    if (p.getFileName() != null && p.getFileName().toString().contains(MARKER)) {
                        into.add(p);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        testing.close();
    }
}
