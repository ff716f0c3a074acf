package dev.sandpool.interpreter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** timeoutInSeconds interrupts a runaway cell and keeps the session; a cell that will not stop is killed. */
class TimeoutTest {
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(new ExecutionConfig(null, null, null, 1, null), TestingServer.pool("slow", 4, 1, 300));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRunawayCellIsInterruptedAndTheSessionKeepsItsState() {
        client.execute("slow", "keeps-state", "kept = 'before'\nprint('set')");
        JsonNode p = client.execute("slow", "keeps-state", "print('started')\nwhile True:\n    pass", 1).properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stdout").asString()).isEqualTo("started\n");
        assertThat(p.path("stderr").asString()).contains("TimeoutError: execution timed out after 1 seconds");
        assertThat(p.path("result").isNull()).isTrue();
        assertThat(client.execute("slow", "keeps-state", "kept").properties().path("result").asString()).isEqualTo("before");
    }

    @Test
    void sleepingCellsAreInterruptedToo() {
        JsonNode p = client.execute("slow", "sleeper-1", "import time\ntime.sleep(60)", 1).properties();
        assertThat(p.path("stderr").asString()).contains("timed out");
        assertThat(client.execute("slow", "sleeper-1", "'alive'").properties().path("result").asString()).isEqualTo("alive");
    }

    @Test
    void aCellThatIgnoresTheInterruptIsKilledAndTheSessionReplaced() {
        client.execute("slow", "stubborn-1", "state = 'old'");
        String code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass";
        JsonNode p = client.execute("slow", "stubborn-1", code, 1).properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("did not stop when interrupted").contains("session was ended");
        JsonNode fresh = client.execute("slow", "stubborn-1", "'state' in dir()").properties();
        assertThat(fresh.path("status").asString()).isEqualTo("Success");
        assertThat(fresh.path("result").asBoolean()).isFalse();
    }

    @Test
    void timeoutsAboveTheMaximumAreCappedNotRejected() {
        assertThat(client.execute("slow", "capped-1", "1", 5000).properties().path("status").asString()).isEqualTo("Success");
    }
}
