package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sessions that each start as many threads as their pids limit allows. Every thread takes a pid from
 * the one table the whole host shares (kernel.pid_max, 32768 by default): at the default limit of
 * 256 it takes 128 such sessions to fill it, here two with a limit of 17,000. Full, every fork and
 * thread start on the host fails, in other sessions and in the server. Each session must stop at its
 * own limit, and never reach the host's.
 */
class PidTableTest {
    private static final String POOL = "threads";
    private static final int PIDS_LIMIT = 17_000;
    private static TestingServer server;

    @BeforeAll
    static void start() throws Exception {
        SandboxConfig base = TestingRuntime.sandboxConfig();
        SandboxConfig sandbox = new SandboxConfig(base.uidBase(), base.uidCount(), base.cgroupParent(), null, PIDS_LIMIT);
        server = TestingServer.start(TestingRuntime.newDataDir(), sandbox,
                new PoolConfig(POOL, null, 4, 2, 300, null, 1.0, DataSize.parse("1Gi"), List.of()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sessionsStartingThreadsToTheirLimitLeaveOthersAbleToFork() throws Exception {
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> run("threads-1", HOG));
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> run("threads-2", HOG));
        try (HeldDirectory one = server.dataOf(POOL, "threads-1"); HeldDirectory two = server.dataOf(POOL, "threads-2")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> (Files.exists(one.path().resolve("full")) || first.isDone())
                    && (Files.exists(two.path().resolve("full")) || second.isDone()));
        }
        // while both still hold their threads: another session forks, and a new sandbox starts
        JsonNode other = run("calm-1", "import subprocess, threading\n"
                + "t = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n"
                + "subprocess.run(['true']).returncode");
        assertThat(other.path("status").asString()).as(other.toString()).isEqualTo("Success");
        assertThat(other.path("result").asInt()).isZero();
        for (JsonNode hog : List.of(first.get(120, TimeUnit.SECONDS), second.get(120, TimeUnit.SECONDS))) {
            // stopped by its own pids limit, which ends the session, and never by the host's table
            assertThat(hog.path("stderr").asString()).as(hog.toString()).containsAnyOf("reached its process limit",
                    "memory limit");
        }
    }

    /**
     * Threads on small stacks until the first refusal, each sleeping a minute; the value is how many
     * started. (_thread, not threading: threading's start waits for each new thread to say so.)
     */
    private static final String HOG = """
            import _thread, time
            _thread.stack_size(32768)
            started = 0
            try:
                while started < %d:
                    _thread.start_new_thread(time.sleep, (60,))
                    started += 1
            except RuntimeError:
                pass
            open('/mnt/data/full', 'w').close()
            time.sleep(15)
            started""".formatted(PIDS_LIMIT);

    private static JsonNode run(String identifier, String code) {
        var response = server.client.execute(POOL, identifier, code, 180);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.properties();
    }
}
