package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.databind.JsonNode;

/**
 * The server the hostile-code suites attack: a Python pool and a Shell pool of small sessions
 * (128Mi, one core), and a Node.js pool started on demand, on real sandboxes, each session's disk capped at {@link #DISK_QUOTA}. It offers
 * the checks every attack ends with: another session still answers, and the attacked one either
 * still works or was replaced by a fresh one. A test class registers it as a static extension
 * field: it starts before the class's tests and is removed after them.
 */
final class HostileServer implements BeforeAllCallback, AfterAllCallback {
    static final String PYTHON = "hostile";
    static final String SHELL = "hostile-sh";
    /** Started on first use only: few attacks need Node.js. */
    static final String NODE = "hostile-js";
    static final DataSize DISK_QUOTA = DataSize.parse("64Mi");

    TestingServer server;
    AzureClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        DataSize memory = DataSize.parse("128Mi");
        server = TestingServer.start(ExecutionConfig.defaults(), new FilesConfig(null, DISK_QUOTA),
                new PoolConfig(PYTHON, null, 20, 2, 300, null, 1.0, memory, List.of()),
                new PoolConfig(SHELL, ContainerType.Shell, 10, 1, 300, null, 1.0, memory, List.of()),
                new PoolConfig(NODE, ContainerType.NodeLTS, 4, 0, 300, null, 1.0, DataSize.parse("256Mi"), List.of()));
        client = server.client;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    /** Python code as session code; the V1 {@code properties}. */
    JsonNode run(String identifier, String code) {
        return run(identifier, code, 60);
    }

    JsonNode run(String identifier, String code, int timeoutSeconds) {
        var response = client.execute(PYTHON, identifier, code, timeoutSeconds);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.properties();
    }

    /** A shell command as a Shell pool's session code; the V1 {@code properties}. */
    JsonNode shell(String identifier, String command) {
        var response = client.execute(SHELL, identifier, command, 60);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.properties();
    }

    /** A Python session's /mnt/data, held until closed (its volume is mounted in its sandbox only). */
    dev.sandpool.sandbox.HeldDirectory dataOf(String identifier) throws java.io.IOException {
        return server.dataOf(PYTHON, identifier);
    }

    /** A session that was never attacked answers normally, in both pools. */
    void assertOthersAnswer() {
        assertThat(run("bystander-1", "6 * 7").path("result").asInt()).isEqualTo(42);
        assertThat(shell("bystander-2", "echo fine").path("stdout").asString()).isEqualTo("fine\n");
    }

    /** The attacked identifier answers again: its own sandbox survived, or the next call got a new one. */
    void assertWorksOrReplaced(String identifier) {
        JsonNode p = run(identifier, "'alive'");
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        assertThat(p.path("result").asString()).isEqualTo("alive");
    }

    void assertShellWorksOrReplaced(String identifier) {
        JsonNode p = shell(identifier, "echo alive");
        assertThat(p.path("stdout").asString()).as(p.toString()).isEqualTo("alive\n");
    }

    /** Both checks, after an attack from a Python session. */
    void assertContained(String attacker) {
        assertOthersAnswer();
        assertWorksOrReplaced(attacker);
    }
}
