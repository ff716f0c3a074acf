package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad request gets Azure's error shape, the right status, and leaves the server serving. */
class ErrorResponsesTest {
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("pyp", 4, 1, 300));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertError(AzureClient.Response r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("x-ms-error-code")).isEqualTo(code);
        assertThat(r.json().path("error").path("code").asString()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asString()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "has space", "back\\slash", "tab\tin", "ünïcode-id"})
    void badIdentifiersAre400(String identifier) {
        assertError(client.execute("pyp", identifier, "1"), 400, "InvalidIdentifier");
    }

    @Test
    void tooLongAndMissingIdentifiersAre400() {
        assertError(client.execute("pyp", "x".repeat(129), "1"), 400, "InvalidIdentifier");
        assertError(client.send("POST", "/pools/pyp/code/execute?api-version=2024-02-02-preview",
                "{\"properties\":{\"code\":\"1\"}}"), 400, "InvalidIdentifier");
        assertThat(client.execute("pyp", "x".repeat(128), "1").status()).isEqualTo(200);
    }

    @Test
    void malformedBodiesAre400() {
        String url = "/pools/pyp/code/execute?identifier=body-check";
        assertError(client.send("POST", url, "{not json"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "[1,2]"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":{}}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":{\"code\":42}}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":{\"code\":\"1\",\"codeInputType\":\"Carrier\"}}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":{\"code\":\"1\",\"timeoutInSeconds\":\"soon\"}}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":{\"code\":\"1\",\"executionType\":\"Asynchronous\"}}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, "{\"properties\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), 400, "InvalidRequestBody");
        assertError(client.send("POST", url, null), 400, "InvalidRequestBody");
    }

    @Test
    void missingOrWrongKeyIs401WithAChallenge() {
        var none = client.send("POST", "/pools/pyp/code/execute?identifier=auth-0001", "{}", null);
        assertError(none, 401, "Unauthorized");
        assertThat(none.header("www-authenticate")).isEqualTo("Bearer");
        assertError(client.send("POST", "/pools/pyp/code/execute?identifier=auth-0001", "{}", "wrong-key"), 401, "Unauthorized");
        assertThat(client.send("GET", "/healthz", null, null).status()).isEqualTo(200);
    }

    @Test
    void unknownPoolsAndRoutesAre404() {
        assertError(client.execute("nope", "route-0001", "1"), 404, "SessionPoolNotFound");
        assertError(client.send("GET", "/pools/pyp/no/such/route?identifier=route-0001", null), 404, "NotFound");
        assertError(client.send("GET", "/nothing-here", null), 404, "NotFound");
    }

    @Test
    void theServerKeepsServingAfterEveryBadRequest() {
        malformedBodiesAre400();
        assertThat(client.execute("pyp", "after-errors", "'still fine'").properties().path("result").asString())
                .isEqualTo("still fine");
    }
}
