package dev.sandpool.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.FileCalls;
import dev.sandpool.testing.HostLeftovers;
import dev.sandpool.testing.TestingServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * A session whose sandbox dies under it, killed from outside or by its own code taking the driver
 * down: the call in flight answers with a Failure that says what happened (an execution error is
 * a 2xx Failure on Azure's wire, never an HTTP error), the identifier's next call gets a new
 * session, the dead sandbox leaves nothing behind, and every other session keeps its state and files.
 */
class SessionCrashTest {
    private static final String V2 = "&api-version=2024-10-02-preview";
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("crash", 10, 2, 300));
        client = server.client;
        client.execute("crash", "bystander", "kept = 41");
        assertThat(FileCalls.upload(client, "crash", "bystander", "kept.txt", "bystander's file".getBytes()).status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void sandboxKilledFromOutsideMidExecution() throws Exception {
        client.execute("crash", "victim-kill", "before = 'the kill'");
        String sandbox = sandboxOf("victim-kill");
        CompletableFuture<AzureClient.Response> inFlight = CompletableFuture.supplyAsync(() -> client.execute("crash",
                "victim-kill", "open('/mnt/data/started', 'w').close()\nimport time\ntime.sleep(120)"));
        int uid = server.sandboxOf("crash", "victim-kill").handle().uid();
        try (var data = server.dataOf("crash", "victim-kill")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(data.path().resolve("started")));
        }

        var pids = HostLeftovers.processes(u -> u == uid);
        assertThat(pids).isNotEmpty();
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly)); // SIGKILL, by pid

        AzureClient.Response answer = inFlight.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        JsonNode p = answer.properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("result").isNull()).isTrue();
        assertThat(p.path("stderr").asString()).startsWith("SessionLost: ").contains("killed by signal 9 (SIGKILL)")
                .contains("the next call starts a new session");

        assertThat(client.execute("crash", "victim-kill", "'before' in dir()").properties().path("result").asBoolean())
                .isFalse();
        assertLeftNothing(sandbox, uid);
        assertBystanderIntact();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "victim-exit | import os\\nos._exit(3) | its interpreter exited with status 3",
            "victim-kill9 | import os, signal\\nos.kill(os.getpid(), signal.SIGKILL) | killed by signal 9 (SIGKILL)",
            "victim-abort | import os\\nos.abort() | killed by signal 6 (SIGABRT)"})
    void sessionCodeTakesItsDriverDown(String identifier, String code, String why) throws Exception {
        client.execute("crash", identifier, "before = 'the crash'");
        String sandbox = sandboxOf(identifier);
        int uid = server.sandboxOf("crash", identifier).handle().uid();
        String body = AzureClient.JSON.createObjectNode().put("code", code.replace("\\n", "\n")).toString();
        AzureClient.Response answer = client.send("POST", "/pools/crash/executions?identifier=" + identifier + V2, body);
        assertThat(answer.status()).isEqualTo(202);
        JsonNode execution = answer.json();
        assertThat(execution.path("status").asString()).isEqualTo("Failed");
        assertThat(execution.path("result").path("stderr").asString()).startsWith("SessionLost: ").contains(why)
                .contains("the next call starts a new session");

        assertThat(client.execute("crash", identifier, "'before' in dir()").properties().path("result").asBoolean())
                .isFalse();
        assertLeftNothing(sandbox, uid);
        assertBystanderIntact();
    }

    private static String sandboxOf(String identifier) {
        return server.server.pools().pool("crash").orElseThrow().find(server.sessionKey(identifier)).orElseThrow().etag();
    }

    /** The dead sandbox's processes, cgroup and directory are gone. */
    private static void assertLeftNothing(String sandbox, int uid) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(HostLeftovers.processes(u -> u == uid)).isEmpty();
            assertThat(HostLeftovers.cgroups(server.server.config().sandbox())).doesNotContain(sandbox);
            assertThat(HostLeftovers.sessionDirectories(server.dataDir())).doesNotContain(sandbox);
        });
    }

    private static void assertBystanderIntact() {
        assertThat(client.execute("crash", "bystander", "kept + 1").properties().path("result").asInt()).isEqualTo(42);
        var file = FileCalls.download(client, "crash", "bystander", "kept.txt");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo("bystander's file");
    }
}
