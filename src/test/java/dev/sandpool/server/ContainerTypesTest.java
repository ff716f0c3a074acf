package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** NodeLTS and Shell pools (issue: more container types), through the same routes as Python. */
class ContainerTypesTest {
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(
                new PoolConfig("nodes", ContainerType.NodeLTS, 10, 1, 300, null, 1.0, DataSize.parse("512Mi"), List.of()),
                new PoolConfig("shells", ContainerType.Shell, 10, 1, 300, null, 1.0, DataSize.parse("256Mi"), List.of()));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void nodeKeepsStateAndReturnsTheLastExpression() {
        JsonNode first = client.execute("nodes", "node-state1", "const items = [1, 2, 3];\nconsole.log('hi');\nitems.map(x => x * 2)").properties();
        assertThat(first.path("status").asString()).isEqualTo("Success");
        assertThat(first.path("stdout").asString()).isEqualTo("hi\n");
        assertThat(first.path("result").toString()).isEqualTo("[2,4,6]");
        assertThat(client.execute("nodes", "node-state1", "items.length").properties().path("result").asInt()).isEqualTo(3);
        assertThat(client.execute("nodes", "node-other", "typeof items").properties().path("result").asString()).isEqualTo("undefined");
        assertThat(client.execute("nodes", "node-state1", "process.cwd()").properties().path("result").asString()).isEqualTo("/mnt/data");
    }

    @Test
    void nodeErrorsAreFailuresWithTheStack() {
        JsonNode p = client.execute("nodes", "node-error", "function f() { throw new Error('boom') }\nf()").properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("Error: boom").contains("at f");
        assertThat(p.path("result").isNull()).isTrue();
    }

    @Test
    void nodeTimeoutInterruptsAndKeepsTheSession() {
        client.execute("nodes", "node-timeout", "var kept = 'yes'");
        JsonNode p = client.execute("nodes", "node-timeout", "while (true) {}", 1).properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("timed out");
        assertThat(client.execute("nodes", "node-timeout", "kept").properties().path("result").asString()).isEqualTo("yes");
    }

    @Test
    void nodeSessionsHaveFiles() {
        client.execute("nodes", "node-files1", "require('fs').writeFileSync('/mnt/data/out.json', JSON.stringify({a: 1}))");
        assertThat(client.send("GET", "/pools/nodes/files?identifier=node-files1&api-version=2024-02-02-preview", null).json()
                .path("value").get(0).path("properties").path("filename").asString()).isEqualTo("out.json");
    }

    @Test
    void shellCommandsReportTheExitCodeAsStatus() {
        var r = client.send("POST", "/pools/shells/executions?identifier=shell-0001&api-version=2025-02-02-preview",
                "{\"shellCommand\":\"echo hello; pwd; exit 3\"}");
        assertThat(r.status()).isEqualTo(202);
        JsonNode body = r.json();
        assertThat(body.path("status").asString()).isEqualTo("3");
        assertThat(body.path("result").path("stdout").asString()).isEqualTo("hello\n/mnt/data\n");
        assertThat(body.has("executionType")).isFalse();
        JsonNode stdin = client.send("POST", "/pools/shells/executions?identifier=shell-0001&api-version=2025-10-02-preview",
                "{\"shellCommand\":\"read LINE;echo first_input:$LINE\",\"stdin\":\"testinputlineline\",\"timeoutInSeconds\":600,"
                        + "\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\"}").json();
        assertThat(stdin.path("status").asString()).isEqualTo("0");
        assertThat(stdin.path("result").path("stdout").asString()).isEqualTo("first_input:testinputlineline\n");
        assertThat(stdin.path("executionType").asString()).isEqualTo("Synchronous");
        JsonNode argv = client.send("POST", "/pools/shells/executions?identifier=shell-0001&api-version=2025-10-02-preview",
                "{\"execCommandAndArgs\":[\"printf\",\"%s|\",\"a b\",\"c\"]}").json();
        assertThat(argv.path("result").path("stdout").asString()).isEqualTo("a b|c|");
    }

    @Test
    void shellSessionsShareFilesAcrossCommandsAndTimeOut() {
        client.send("POST", "/pools/shells/executions?identifier=shell-0002&api-version=2025-02-02-preview",
                "{\"shellCommand\":\"echo saved > /mnt/data/note.txt\"}");
        assertThat(new String(client.download("/pools/shells/files/note.txt/content?identifier=shell-0002&api-version=2025-02-02-preview")
                .body())).isEqualTo("saved\n");
        JsonNode slow = client.send("POST", "/pools/shells/executions?identifier=shell-0002&api-version=2025-02-02-preview",
                "{\"shellCommand\":\"sleep 30\",\"timeoutInSeconds\":1}").json();
        assertThat(slow.path("status").asString()).isEqualTo("124");
        assertThat(slow.path("result").path("stderr").asString()).contains("timed out");
        assertThat(client.execute("shells", "shell-0002", "cat note.txt").properties().path("stdout").asString()).isEqualTo("saved\n");
    }
}
