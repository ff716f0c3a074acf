package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** V2 executions and session routes (wire-protocol.md 3.1, 3.7-3.10) on a Python pool. */
class V2ExecutionsTest {
    private static final String V2 = "&api-version=2024-10-02-preview";
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("vtwo", 20, 2, 300));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static AzureClient.Response execute(String id, String body) {
        return client.send("POST", "/pools/vtwo/executions?identifier=" + id + V2, body);
    }

    @Test
    void synchronousExecutionHasAzuresShapeAndStatus202() {
        var r = execute("sync-0001", "{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"print('Hello world')\"}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.body()).matches("\\{\"\\$id\":\"1\",\"id\":\"[0-9a-f-]{36}\",\"identifier\":\"sync-0001\","
                + "\"executionType\":\"synchronous\",\"status\":\"Succeeded\",\"result\":\\{\"\\$id\":\"2\","
                + "\"stdout\":\"Hello world\\\\n\",\"stderr\":\"\",\"executionResult\":\"\",\"executionTimeInMilliseconds\":\\d+}}");
        assertThat(r.header("operation-id")).isEqualTo(r.json().path("id").asString());
        JsonNode failed = execute("sync-0001", "{\"code\":\"1/0\"}").json();
        assertThat(failed.path("status").asString()).isEqualTo("Failed");
        assertThat(failed.path("result").path("stderr").asString()).contains("ZeroDivisionError");
        assertThat(failed.path("result").path("executionResult").isNull()).isTrue();
    }

    @Test
    void executionResultIsNativeJsonUnlessTheClientIsSemanticKernel() {
        assertThat(execute("types-001", "{\"code\":\"5 + 3\"}").json().path("result").path("executionResult").isNumber()).isTrue();
        var sk = client.send("POST", "/pools/vtwo/executions?identifier=types-001" + V2,
                "{\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\",\"timeoutInSeconds\":100,\"code\":\"5 + 3\"}");
        assertThat(sk.json().path("result").path("executionResult").isNumber()).isTrue();
        var skUa = client.sendWithHeaders("POST", "/pools/vtwo/executions?identifier=types-001" + V2,
                "{\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\",\"timeoutInSeconds\":100,\"code\":\"5 + 3\"}",
                "User-Agent", "Semantic-Kernel/1.80.0.0 (Language=dotnet)");
        assertThat(skUa.json().path("result").path("executionResult").asString()).isEqualTo("8");
        assertThat(skUa.json().path("result").path("executionResult").isString()).isTrue();
        assertThat(execute("types-001", "{\"code\":\"'nan'\",\"returnJupyterFormatExecutionResult\":true}").json()
                .path("result").path("executionResult").asString()).isEqualTo("'nan'");
    }

    @Test
    void asynchronousExecutionIsPolledThroughOperationLocation() {
        var r = execute("async-001", "{\"executionType\":\"Asynchronous\",\"code\":\"import time\\ntime.sleep(1)\\n'late'\"}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asString()).isEqualTo("Running");
        String location = r.header("Operation-Location");
        assertThat(location).startsWith("/pools/vtwo/executions/" + r.json().path("id").asString()).contains("identifier=async-001");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.send("GET", location, null).json().path("status").asString()
                .equals("Succeeded"));
        assertThat(client.send("GET", location, null).json().path("result").path("executionResult").asString()).isEqualTo("late");
        assertThat(client.send("GET", "/pools/vtwo/executions/" + r.json().path("id").asString() + "?identifier=other-0001" + V2,
                null).status()).isEqualTo(404);
    }

    @Test
    void operationIdBase64OutputLimitAndMissingFields() {
        var r = client.sendWithHeaders("POST", "/pools/vtwo/executions?identifier=misc-0001" + V2,
                "{\"codeInputType\":\"InlineBase64\",\"code\":\"" + Base64.getEncoder().encodeToString("print('x' * 50)".getBytes())
                        + "\",\"outputStreamsMaxLength\":10}", "operation-id", "my-own-id");
        assertThat(r.json().path("id").asString()).isEqualTo("my-own-id");
        assertThat(r.json().path("result").path("stdout").asString()).isEqualTo("xxxxxxxxxx");
        assertThat(execute("misc-0001", "{}").status()).isEqualTo(400);
        assertThat(execute("misc-0001", "{\"shellCommand\":\"ls\"}").status()).isEqualTo(400);
        assertThat(execute("misc-0001", "{\"code\":\"1\",\"executionType\":\"Later\"}").status()).isEqualTo(400);
    }

    @Test
    void sessionRoutes() {
        execute("listed-01", "{\"code\":\"1\"}");
        JsonNode session = client.send("GET", "/pools/vtwo/session?identifier=listed-01&api-version=2025-02-02-preview", null).json();
        assertThat(session.path("identifier").asString()).isEqualTo("listed-01");
        assertThat(session.path("etag").asString()).startsWith("sb-");
        assertThat(session.path("createdAt").asString()).isNotBlank();
        assertThat(session.path("expireAt").asString()).isGreaterThan(session.path("lastAccessedAt").asString());
        assertThat(client.send("GET", "/pools/vtwo/session?identifier=never-seen&api-version=2025-02-02-preview", null).status())
                .isEqualTo(404);
        JsonNode list = client.send("GET", "/pools/vtwo/listSessions?api-version=2025-02-02-preview", null).json();
        assertThat(list.path("sessions").findValuesAsString("identifier")).contains("listed-01");
        assertThat(list.has("nextLink")).isTrue();
        JsonNode metadata = client.send("GET", "/pools/vtwo/metadata?api-version=2025-02-02-preview", null).json();
        assertThat(metadata.path("runtimes").get(0).path("name").asString()).isEqualTo("python");
        assertThat(metadata.path("preInstalledPackages").findValuesAsString("name")).contains("numpy", "pandas", "matplotlib");
        var stop = client.send("POST", "/pools/vtwo/.management/stopSession?identifier=listed-01&api-version=2025-10-02-preview", null);
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.header("content-type")).startsWith("text/plain");
        assertThat(stop.body()).isEqualTo("Session listed-01 in session pool vtwo stopped.");
        assertThat(client.send("GET", "/pools/vtwo/session?identifier=listed-01&api-version=2025-02-02-preview", null).status())
                .isEqualTo(404);
    }

    @Test
    void legacyPythonExecuteTakesTheIdentifierFromTheBodyAndAnswersFlat() {
        var r = client.send("POST", "/pools/vtwo/python/execute/?api-version=2024-02-02-preview",
                "{\"properties\":{\"identifier\":\"legacy-0001\",\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\","
                        + "\"timeoutInSeconds\":100,\"pythonCode\":\"print('old')\\n1+2\"}}");
        assertThat(r.json().path("status").asString()).isEqualTo("Success");
        assertThat(r.json().path("result").asInt()).isEqualTo(3);
        assertThat(r.json().path("stdout").asString()).isEqualTo("old\n");
        assertThat(r.properties().path("result").asInt()).isEqualTo(3);
    }
}
