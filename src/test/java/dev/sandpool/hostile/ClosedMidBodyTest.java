package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.V2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.proxy.RawClient;
import dev.sandpool.testing.AzureClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that close their connection in the middle of a body: an upload leaves no partial or
 * temporary file and does not disturb the file it would have replaced, a cut-off execute runs
 * nothing, and the session goes on working.
 */
class ClosedMidBodyTest {
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();

    /** Sends the head and the first {@code sent} bytes of a body announced longer, then closes. */
    private static void cutOff(String head, byte[] body, int sent) throws Exception {
        try (RawClient raw = new RawClient(SERVER.get().port())) {
            raw.send(head);
            raw.out.write(body, 0, sent);
            raw.out.flush();
        }
    }

    private static String post(String route, String contentType, String framing) {
        return "POST " + route + " HTTP/1.1\r\nHost: localhost\r\n" + SERVER.get().authorization() + "Content-Type: "
                + contentType + "\r\n" + framing + "\r\n";
    }

    /** Every entry of /mnt/data, hidden ones included, as the session sees them. */
    private static String entries(String id) {
        return SERVER.get().client.execute(POOL, id, "import os\nsorted(os.listdir('/mnt/data'))").properties()
                .path("result").toString();
    }

    @Test
    void anUploadCutOffLeavesNoFileAndKeepsTheOneItWouldReplace() throws Exception {
        String id = "cut-upload-hx7q";
        var keep = SERVER.get().client.upload("/pools/" + POOL + "/files/upload?identifier=" + id + V1,
                "multipart/form-data; boundary=b", AzureClient.multipart("b",
                        "form-data; name=\"file\"; filename=\"keep.txt\"", null, "kept".getBytes()));
        assertThat(keep.status()).isEqualTo(200);
        byte[] content = new byte[2 << 20];
        new java.util.Random(7).nextBytes(content);
        List<Thread> clients = new ArrayList<>();
        for (String name : List.of("keep.txt", "hx7q-new.bin")) {
            byte[] body = AzureClient.multipart("b", "form-data; name=\"file\"; filename=\"" + name + "\"", null, content);
            String route = "/pools/" + POOL + "/files/upload?identifier=" + id + V1;
            for (int i = 0; i < 4; i++) {
                int sent = body.length / 5 * (i + 1);
                clients.add(Thread.ofVirtual().start(() -> {
                    try {
                        cutOff(post(route, "multipart/form-data; boundary=b", "Content-Length: " + body.length + "\r\n"), body, sent);
                        cutOff(post(route, "multipart/form-data; boundary=b", "Transfer-Encoding: chunked\r\n"),
                                (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII), 4);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
        }
        for (Thread t : clients) {
            t.join();
        }
        // the temporary files go when the handlers have given up: then no handler is left waiting
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(entries(id)).isEqualTo("[\"keep.txt\"]"));
        assertThat(new String(SERVER.get().client.download("/pools/" + POOL + "/files/content/keep.txt?identifier=" + id + V1)
                .body())).isEqualTo("kept");
        var again = SERVER.get().client.upload("/pools/" + POOL + "/files/upload?identifier=" + id + V1,
                "multipart/form-data; boundary=b", AzureClient.multipart("b",
                        "form-data; name=\"file\"; filename=\"after.bin\"", null, content));
        assertThat(again.status()).isEqualTo(200);
        assertThat(SERVER.get().client.download("/pools/" + POOL + "/files/content/after.bin?identifier=" + id + V1).body())
                .isEqualTo(content);
    }

    @Test
    void anExecuteCutOffRunsNothing() throws Exception {
        String id = "cut-execute-hx7q";
        String code = "open('/mnt/data/ran.txt', 'w').write('ran')" + " ".repeat(100_000);
        for (String route : List.of("/pools/" + POOL + "/code/execute?identifier=" + id + V1,
                "/pools/" + POOL + "/executions?identifier=" + id + V2)) {
            byte[] body = (route.contains("executions") ? "{\"code\":\"" + code + "\"}"
                    : "{\"properties\":{\"code\":\"" + code + "\"}}").getBytes(StandardCharsets.UTF_8);
            for (int sent : new int[] {0, 10, body.length / 2, body.length - 1}) {
                cutOff(post(route, "application/json", "Content-Length: " + body.length + "\r\n"), body, sent);
            }
        }
        assertThat(SERVER.get().client.execute(POOL, id, "6*7").properties().path("result").asInt()).isEqualTo(42);
        assertThat(entries(id)).isEqualTo("[]");
    }
}
