package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.assertAzureError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads with broken multipart bodies over HTTP (the parser's own cases are in
 * {@code MultipartReaderTest}): a 400 in Azure's shape, and no file, not even a partial one.
 */
class HostileMultipartTest {
    private static final String ID = "multipart-hx7q-01";
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();

    private static void assertRefusedLeavingNothing(String contentType, String body) throws Exception {
        assertRefusedLeavingNothing(contentType, body.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void assertRefusedLeavingNothing(String contentType, byte[] body) throws Exception {
        var r = SERVER.get().post("/pools/" + POOL + "/files/upload?identifier=" + ID + V1, contentType, body);
        assertThat(r.status()).as(contentType + " / " + new String(body, 0, Math.min(200, body.length),
                StandardCharsets.ISO_8859_1)).isIn(400, 413);
        assertAzureError(r, 400, 413);
        var left = SERVER.get().client.execute(POOL, ID, "import os\nsorted(os.listdir('/mnt/data'))");
        assertThat(left.properties().path("result").toString()).isEqualTo("[]");
    }

    private static String part(String boundary, String content) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hx7q.bin\"\r\n\r\n" + content;
    }

    @Test
    void boundariesThatDoNotMatchTheBody() throws Exception {
        String whole = part("real", "data") + "\r\n--real--\r\n";
        // (an empty boundary parameter is sniffed from the body, on purpose: MultipartReaderTest)
        for (String contentType : List.of("multipart/form-data; boundary=other",
                "multipart/form-data; boundary=\"real", "multipart/form-data; boundary=" + "r".repeat(300),
                "multipart/form-data; boundary=rea", "multipart/form-data; boundary=reall")) {
            assertRefusedLeavingNothing(contentType, whole);
        }
    }

    @Test
    void bodiesThatEndTooSoonOrNeverClose() throws Exception {
        String type = "multipart/form-data; boundary=b";
        // (a body cut right after a complete part, "x\r\n--b", stores that part: nothing of it is missing)
        for (String body : List.of("", "--", "--b", "--b--\r\n", "--b\r\n", part("b", "no end"),
                part("b", "x\r\n--c--\r\n"), "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n",
                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hx7q\"\r\n" + "X-Pad: p\r\n".repeat(5000)
                        + "\r\nx\r\n--b--\r\n", "--b\r\n" + "H".repeat(100_000) + "\r\n\r\nx\r\n--b--\r\n")) {
            assertRefusedLeavingNothing(type, body);
        }
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 'z');
        assertRefusedLeavingNothing(type, (part("b", "") + new String(big, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theBoundaryInsideTheContentIsNotTakenForTheEnd() throws Exception {
        // only CRLF "--b" delimits; the boundary elsewhere is content
        String content = "--b--x--b--\r\ny --b\r\n\r\n-- b--";
        var r = SERVER.get().post("/pools/" + POOL + "/files/upload?identifier=" + ID + "-ok" + V1,
                "multipart/form-data; boundary=b", (part("b", content) + "\r\n--b--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(new String(SERVER.get().client.download("/pools/" + POOL + "/files/content/hx7q.bin?identifier=" + ID + "-ok" + V1)
                .body(), StandardCharsets.ISO_8859_1)).isEqualTo(content);
    }
}
