package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.assertAzureError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session identifiers and pool names with every character Azure does not allow, raw and
 * percent-encoded, and traversal dressed as an identifier: 400 in Azure's shape, or (for the
 * identifiers Azure does allow, {@code /} and {@code .} among them) a session like any other.
 */
class HostileIdentifiersTest {
    private static final String ALLOWED_PUNCTUATION = "_|}{[]:\";'<>?/.,@#$%^&*()-+=!~`";
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();

    private static AzureClient.Response listFiles(String rawIdentifier) {
        return SERVER.get().client.send("GET", "/pools/" + POOL + "/files?identifier=" + rawIdentifier + V1, null);
    }

    @Test
    void everyDisallowedCharacterIsRefused() throws Exception {
        for (int c = 0; c < 0x180; c++) {
            if (Character.isLetterOrDigit(c) && c < 0x80 || ALLOWED_PUNCTUATION.indexOf(c) >= 0) {
                continue;
            }
            String identifier = "id" + Character.toString(c) + "hx7q";
            assertAzureError(listFiles(AzureClient.encode(identifier)), 400);
            assertThat(listFiles(AzureClient.encode(identifier)).header("x-ms-error-code")).isEqualTo("InvalidIdentifier");
        }
        // raw on the wire, where an HTTP client would refuse: space, DEL, bytes above 0x7f
        for (String raw : List.of("a b-hx7q", "a\u007fb-hx7q", "a\u00ffb-hx7q", "a\tb-hx7q")) {
            var r = SERVER.get().exchange("GET /pools/" + POOL + "/files?identifier=" + raw + V1 + " HTTP/1.1\r\nHost: x\r\n"
                    + SERVER.get().authorization() + "\r\n");
            assertAzureError(r, 400);
        }
    }

    @Test
    void lengthsAndRepeatsAtTheEdges() {
        for (String identifier : List.of("", "abc", "x".repeat(129), "x".repeat(100_00))) {
            assertAzureError(listFiles(AzureClient.encode(identifier)), 400);
        }
        assertAzureError(listFiles("%00%00%00%00"), 400);
        // two identifiers: the first counts, as everywhere in the query
        assertThat(listFiles("first-id-hx7q&identifier=" + AzureClient.encode("bad id")).status()).isEqualTo(200);
    }

    @Test
    void traversalShapedIdentifiersAreJustNames() {
        for (String identifier : List.of("../../../../tmp/hx7q-escape", "..%2F..%2Fhx7q", "/etc/hx7q/../passwd",
                "./././hx7q", "%2e%2e%2fhx7q")) {
            var up = SERVER.get().client.upload("/pools/" + POOL + "/files/upload?identifier=" + AzureClient.encode(identifier) + V1,
                    "multipart/form-data; boundary=b", AzureClient.multipart("b",
                            "form-data; name=\"file\"; filename=\"hx7q-inside.txt\"", null, identifier.getBytes()));
            assertThat(up.status()).as(identifier + ": " + up.body()).isEqualTo(200);
            var list = listFiles(AzureClient.encode(identifier));
            assertThat(list.json().path("value").findValuesAsString("filename")).containsExactly("hx7q-inside.txt");
        }
    }

    @Test
    void hostilePoolNamesAre404() {
        for (String pool : List.of("..", "..%2F..", "%2e%2e", "..%2Fmanagement%2Fpools", "%00", "a%2Fb", "HOSTILE",
                "x".repeat(300), "%252e%252e")) {
            var r = SERVER.get().client.send("GET", "/pools/" + pool + "/files?identifier=pool-names-hx7q" + V1, null);
            assertThat(r.status()).as(pool).isIn(400, 404);
            assertAzureError(r, 400, 404);
        }
    }
}
