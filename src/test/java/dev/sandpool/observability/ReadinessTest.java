package dev.sandpool.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /readyz}: 503 until every pool has once had its ready sessions, 200 from then on. */
class ReadinessTest {

    private static AzureClient.Response readyz(TestingServer server) {
        return server.client.send("GET", "/readyz", null, null);
    }

    @Test
    void answers503UntilThePoolHasItsReadySessionsThen200ForGood() throws Exception {
        // a twentieth of a core makes the interpreters start slowly enough to see the 503
        PoolConfig slow = new PoolConfig("slow", null, 3, 2, 300, null, 0.05, DataSize.parse("256Mi"), List.of());
        try (TestingServer server = TestingServer.start(slow)) {
            var starting = readyz(server);
            assertThat(starting.status()).isEqualTo(503);
            assertThat(starting.json().path("status").asString()).isEqualTo("starting");
            assertThat(starting.json().path("reason").asString()).contains("slow (");
            assertThat(starting.json().path("pools").get(0).path("target").asInt()).isEqualTo(2);
            assertThat(starting.json().path("pools").get(0).path("reachedTarget").asBoolean()).isFalse();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> readyz(server).status() == 200);
            var ready = readyz(server);
            assertThat(ready.json().path("status").asString()).isEqualTo("ready");
            assertThat(ready.json().path("pools").get(0).path("reachedTarget").asBoolean()).isTrue();

            // taking a ready session leaves the pool below its target for a while: still ready
            assertThat(server.client.execute("slow", "takes-a-ready-one", "1").status()).isEqualTo(200);
            assertThat(readyz(server).status()).isEqualTo(200);
        }
    }

    @Test
    void aPoolWithoutReadySessionsIsReadyAtOnce() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("noready", 2, 0, 300))) {
            var response = readyz(server);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().path("status").asString()).isEqualTo("ready");
            assertThat(server.client.send("GET", "/healthz", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void aPoolWhoseSandboxesCannotStartKeepsTheServerUnready() throws Exception {
        PoolConfig broken = new PoolConfig("broken", null, 2, 1, 300, null, 1.0, DataSize.parse("256Mi"),
                List.of("sandpool_no_such_module"));
        try (TestingServer server = TestingServer.start(broken)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                    new Scrape(server.client.send("GET", "/metrics", null, null).body())
                            .valueOrZero("sandpool_sandbox_start_failures_total", "pool", "broken") >= 1);
            // one failed start is one failure, though the pool reports it twice (the pool retries after 2 s)
            assertThat(new Scrape(server.client.send("GET", "/metrics", null, null).body())
                    .value("sandpool_sandbox_start_failures_total", "pool", "broken")).contains(1.0);
            var response = readyz(server);
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.json().path("pools").get(0).path("sandboxStartsFailing").asBoolean()).isTrue();
            assertThat(response.json().path("reason").asString()).contains("sandbox starts failing");
        }
    }
}
