package dev.sandpool.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The JSON log lines as the encoder writes them: one per request and one per lifecycle event, and
 * never an identifier, an API key or a query string in clear.
 */
class StructuredLogTest {
    private static final String IDENTIFIER = "secret-identifier-4711";
    private static final String WRONG_KEY = "wrong-key-0815-do-not-log";
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;

    @BeforeEach
    void capture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(captured);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    @AfterEach
    void release() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
    }

    private String output() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    private List<JsonNode> lines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output().split("\n")) {
            if (!line.isBlank()) {
                lines.add(AzureClient.JSON.readTree(line)); // every line is one JSON object
            }
        }
        return lines;
    }

    private List<JsonNode> events(String event, Predicate<JsonNode> matching) {
        return lines().stream().filter(l -> l.path("event").asString().equals(event)).filter(matching).toList();
    }

    @Test
    void requestsAndLifecycleEventsAreLoggedAsJsonWithHashedIdentifiers() throws Exception {
        PoolConfig logs = new PoolConfig("logs", null, 4, 1, 300, null, 1.0, DataSize.parse("128Mi"), List.of());
        PoolConfig broken = new PoolConfig("broken", null, 2, 1, 300, null, 1.0, DataSize.parse("128Mi"),
                List.of("sandpool_no_such_module"));
        String apiKey;
        String hash = IdentifierHash.of("logs", IDENTIFIER);
        try (TestingServer server = TestingServer.start(logs, broken)) {
            apiKey = server.server.apiKey().orElseThrow().key();
            AzureClient client = server.client;
            assertThat(client.execute("logs", IDENTIFIER, "1+1").status()).isEqualTo(200);
            // the Azure-shaped path, rerouted inside the server, is one request and one line
            String body = "{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"2\"}}";
            assertThat(client.send("POST", "/subscriptions/sub/resourceGroups/rg/sessionPools/logs/code/execute?identifier="
                    + IDENTIFIER + "&api-version=" + AzureClient.V1, body).status()).isEqualTo(200);
            assertThat(client.send("POST", "/pools/logs/code/execute?api-version=" + AzureClient.V1 + "&identifier="
                    + IDENTIFIER, body, WRONG_KEY).status()).isEqualTo(401);
            var hog = client.execute("logs", IDENTIFIER, "hog = bytearray(1024 * 1024 * 1024)");
            assertThat(hog.properties().path("status").asString()).isEqualTo("Failure");
            assertThat(client.send("GET", "/pools/logs/files/content/" + IDENTIFIER + ".txt?identifier=" + IDENTIFIER
                    + "&api-version=" + AzureClient.V1, null).status()).isEqualTo(404);
            assertThat(client.deleteSession("logs", IDENTIFIER).status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(60)).until(() -> !events("sandbox_start_failed",
                    l -> l.path("pool").asString().equals("broken")).isEmpty());
        }

        List<JsonNode> executes = events("http_request", l -> l.path("route").asString().equals("/pools/{pool}/code/execute"));
        assertThat(executes).hasSize(4);
        for (JsonNode line : executes) {
            assertThat(line.path("pool").asString()).isEqualTo("logs");
            assertThat(line.path("identifier_hash").asString()).isEqualTo(hash);
            assertThat(line.path("method").asString()).isEqualTo("POST");
            assertThat(line.path("api_version").asString()).isEqualTo(AzureClient.V1);
            assertThat(line.path("duration_ms").isNumber()).isTrue();
            assertThat(line.path("duration_ms").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(line.path("level").asString()).isEqualTo("INFO");
            assertThat(line.path("logger_name").asString()).isEqualTo(RequestLog.LOGGER);
        }
        assertThat(executes.stream().map(l -> l.path("status").asInt())).containsExactly(200, 200, 401, 200);
        assertThat(events("http_request", l -> l.path("route").asString().equals("/pools/{pool}/files/content/{path}")
                && l.path("status").asInt() == 404)).hasSize(1);
        assertThat(events("http_request", l -> l.path("route").asString().equals("/pools/{pool}/session")
                && l.path("method").asString().equals("DELETE") && l.path("status").asInt() == 204)).hasSize(1);

        Predicate<JsonNode> ours = l -> l.path("pool").asString().equals("logs") && l.path("identifier_hash").asString().equals(hash);
        assertThat(events("session_allocated", ours)).hasSize(1)
                .allSatisfy(l -> assertThat(l.path("source").asString()).isIn("ready", "started"));
        assertThat(events("session_lost", ours)).singleElement()
                .satisfies(l -> assertThat(l.path("loss").asString()).isEqualTo("memory_limit"));
        assertThat(events("session_ended", ours)).singleElement()
                .satisfies(l -> assertThat(l.path("reason").asString()).isEqualTo("deleted"));
        assertThat(events("sandbox_start_failed", l -> l.path("pool").asString().equals("broken")))
                .allSatisfy(l -> assertThat(l.path("error").asString()).isNotEmpty());

        String all = output();
        assertThat(all).doesNotContain(IDENTIFIER).doesNotContain(apiKey).doesNotContain(WRONG_KEY)
                .doesNotContain("Bearer").doesNotContain("identifier=");
    }
}
