package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.V2;
import static dev.sandpool.hostile.HostileServer.assertAzureError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.proxy.RawClient;
import dev.sandpool.testing.AzureClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * File names and paths built to leave /mnt/data ({@code ..}, NUL, encoded and doubly encoded
 * slashes and dots, backslashes, absolute paths, overlong names) on every route that takes one: the
 * URL path, the {@code path} and {@code filename} query parameters and the multipart file name.
 * Each is refused with a 4xx in Azure's shape or lands inside the session's own /mnt/data; a file
 * of the session is never reached through a name that left it.
 */
class HostileFilePathsTest {
    private static final String ID = "paths-hx7q-0001";
    /** Raw URL path segments, as sent; the server decodes them once. */
    private static final List<String> HOSTILE = List.of("..", "../hx7q", "..%2Fhx7q", "..%2F..%2F..%2Ftmp%2Fhx7q",
            "%2e%2e%2fhx7q", "%2E%2E/hx7q", "sub/../../hx7q", "sub%2F..%2F..%2Fhx7q", "..%5Chx7q", "..%5C..%5Chx7q",
            "%2Fetc%2Fhx7q", "%2Fmnt%2Fdata%2F..%2Fhx7q", "mnt%2Fdata%2F..%2F..%2Fhx7q", "hx7q%00.txt", "%00", "hx7q%00%2F..",
            "a%2F%2E%2E%2F%2E%2E%2Fhx7q", "%C0%AE%C0%AE%2Fhx7q", "." , "%2e", "hx7q" + "n".repeat(300), "%252e%252e%252fhx7q",
            "con%3Ahx7q", "hx7q%0D%0AX-Injected:%20yes");

    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();

    @BeforeAll
    static void aSessionWithAFile() {
        var up = SERVER.get().client.upload("/pools/" + POOL + "/files/upload?identifier=" + ID + V1,
                "multipart/form-data; boundary=b", AzureClient.multipart("b",
                        "form-data; name=\"file\"; filename=\"own.txt\"", null, "own".getBytes()));
        assertThat(up.status()).isEqualTo(200);
    }

    /** A 4xx in Azure's shape, or a success that stayed inside /mnt/data (checked by the marker scan after each test). */
    private static void assertContained(String what, int status, String errorCode, String body) {
        assertThat(status).as(what + ": " + body).isNotEqualTo(500).isLessThan(500);
        if (status >= 400) {
            HostileServer.assertAzureShape(status, errorCode, body);
        }
    }

    private static void assertContained(String what, AzureClient.Response r) {
        assertContained(what, r.status(), r.header("x-ms-error-code"), r.body());
    }

    private static void assertContained(String what, RawClient.Response r) {
        assertContained(what, r.status(), r.header("x-ms-error-code"), r.text());
    }

    @Test
    void hostilePathsInTheUrl() throws Exception {
        for (String path : HOSTILE) {
            for (String route : List.of("/files/content/" + path + "?identifier=" + ID + V1, "/files/" + path + "?identifier=" + ID + V1,
                    "/files/" + path + "/content?identifier=" + ID + V2, "/files/" + path + "?identifier=" + ID + V2)) {
                // raw, so that no client normalises the dots away first
                for (String method : List.of("GET", "DELETE")) {
                    assertContained(method + " " + route, SERVER.get().exchange(method + " /pools/" + POOL + route
                            + " HTTP/1.1\r\nHost: localhost\r\n" + SERVER.get().authorization() + "\r\n"));
                }
            }
        }
    }

    @Test
    void hostilePathsInQueryParameters() throws Exception {
        for (String path : HOSTILE) {
            assertContained("list " + path, SERVER.get().client.send("GET",
                    "/pools/" + POOL + "/files?identifier=" + ID + V2 + "&path=" + path, null));
            assertContained("legacy " + path, SERVER.get().client.send("GET",
                    "/pools/" + POOL + "/python/downloadFile?identifier=" + ID + "&filename=" + path, null));
            assertContained("upload into " + path, SERVER.get().client.upload("/pools/" + POOL + "/files?identifier=" + ID + V2
                    + "&path=" + path, "multipart/form-data; boundary=b", AzureClient.multipart("b",
                    "form-data; name=\"file\"; filename=\"hx7q-q.txt\"", null, "q".getBytes())));
        }
    }

    @Test
    void hostileMultipartFileNames() throws Exception {
        List<String> names = List.of("../hx7q-up", "../../../../../tmp/hx7q-up", "..\\\\..\\\\hx7q-up", "/etc/hx7q-up",
                "/mnt/data/../hx7q-up", "sub/../../hx7q-up", "hx7q\u0000.txt", "..", ".", "/", "", "hx7q-" + "n".repeat(300),
                "%2e%2e%2fhx7q-up", "hx7q\r\nContent-Type: text/evil");
        for (String name : names) {
            for (String disposition : List.of("form-data; name=\"file\"; filename=\"" + name + "\"",
                    "form-data; name=file; filename*=utf-8''" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))) {
                byte[] body = AzureClient.multipart("b", disposition, null, "up".getBytes());
                assertContained(disposition, SERVER.get().post("/pools/" + POOL + "/files/upload?identifier=" + ID + V1,
                        "multipart/form-data; boundary=b", body));
            }
        }
        var list = SERVER.get().client.send("GET", "/pools/" + POOL + "/files?identifier=" + ID + V1, null);
        assertThat(list.json().path("value").findValuesAsString("filename")).contains("own.txt");
        assertThat(new String(SERVER.get().client.download("/pools/" + POOL + "/files/content/own.txt?identifier=" + ID + V1)
                .body())).isEqualTo("own");
    }

    @Test
    void theSessionsOwnFileIsNeverReachedThroughAnEscapedName() throws Exception {
        for (String path : List.of("sub/..%2Fown.txt", "..%2F" + ID + "%2Fown.txt", "%2Fmnt%2Fdata%2Fsub%2F..%2Fown.txt")) {
            var r = SERVER.get().exchange("GET /pools/" + POOL + "/files/content/" + path + "?identifier=" + ID + V1
                    + " HTTP/1.1\r\nHost: localhost\r\n" + SERVER.get().authorization() + "\r\n");
            assertAzureError(r, 400, 404);
        }
    }
}
