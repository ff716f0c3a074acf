package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.image.TestImages;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Startup and liveness probes, the OnContainerExit lifecycle and env secrets of custom containers,
 * set through the management API as Azure's clients send them. The image's server answers
 * {@code /alive} until {@code /cgi-bin/sicken} removes it, and its main process exits when
 * {@code /cgi-bin/quit} is called (httpd itself runs in the background).
 */
class ContainerProbesAndLifecycleTest {
    private static final String START = """
            /bin/busybox mkdir -p /tmp/www/cgi-bin
            echo ok > /tmp/www/alive
            printf '#!/bin/sh\\n/bin/busybox rm -f /tmp/www/alive\\necho Content-Type: text/plain\\necho\\necho sick\\n' > /tmp/www/cgi-bin/sicken
            printf '#!/bin/sh\\n: > /tmp/quit\\necho Content-Type: text/plain\\necho\\necho bye\\n' > /tmp/www/cgi-bin/quit
            printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "token=$API_TOKEN"\\n' > /tmp/www/cgi-bin/token
            /bin/busybox chmod 755 /tmp/www/cgi-bin/sicken /tmp/www/cgi-bin/quit /tmp/www/cgi-bin/token
            /bin/busybox httpd -p 8080 -h /tmp/www
            while [ ! -e /tmp/quit ]; do /bin/busybox sleep 0.1; done
            """;
    private static Path layouts;
    private static String image;
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        layouts = Files.createTempDirectory("sandpool-probes-");
        var built = TestImages.busybox(layouts.resolve("probe"), "v1").file("start.sh", START)
                .entrypoint("/bin/sh", "/start.sh").user("1000:1000").build();
        image = built.skopeoRef();
        server = TestingServer.start();
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
        dev.sandpool.sandbox.Trees.deleteRecursively(layouts);
    }

    private static AzureClient.Response create(String name, String lifecycle, String probes) {
        return create(name, lifecycle, probes, "", "");
    }

    /** {@code properties} is added to the pool's properties, {@code container} to its container (each with its comma). */
    private static AzureClient.Response create(String name, String lifecycle, String probes, String properties, String container) {
        return client.send("PUT", "/management/pools/" + name, """
                {"properties": {"containerType": "CustomContainer",
                  "scaleConfiguration": {"maxConcurrentSessions": 3, "readySessionInstances": 1},
                  "dynamicPoolConfiguration": {"lifecycleConfiguration": %s},
                  %s
                  "customContainerTemplate": {
                    "containers": [{"image": "%s", "name": "main", "probes": %s,
                                    "resources": {"cpu": 0.25, "memory": "128Mi"}%s}],
                    "ingress": {"targetPort": 8080}}}}""".formatted(lifecycle, properties, image, probes, container));
    }

    private static final String TIMED = "{\"lifecycleType\": \"Timed\", \"cooldownPeriodInSeconds\": 300}";

    private static String get(String pool, String path, String identifier) {
        var answer = client.send("GET", "/pools/" + pool + path + "?identifier=" + identifier, null);
        return answer.status() + " " + answer.body().strip();
    }

    private static String etag(String pool, String identifier) {
        return server.server.pools().pool(pool).orElseThrow().find(server.sessionKey(identifier)).orElseThrow().etag();
    }

    @Test
    void aStartupProbeDecidesWhenASessionIsReady() {
        var created = create("startup-ok", TIMED, """
                [{"type": "Startup", "httpGet": {"path": "/alive", "port": 8080}, "initialDelaySeconds": 1,
                  "periodSeconds": 1, "failureThreshold": 5}]""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("customContainerTemplate").path("containers").get(0)
                .path("probes").get(0).path("httpGet").path("path").asString()).isEqualTo("/alive");
        assertThat(get("startup-ok", "/alive", "ready-1")).isEqualTo("200 ok");

        // the server listens, so a plain TCP check would pass: only the probe's own path decides
        assertThat(create("startup-bad", TIMED, """
                [{"type": "Startup", "httpGet": {"path": "/missing"}, "periodSeconds": 1, "failureThreshold": 2}]""")
                .status()).isEqualTo(201);
        var shown = await().atMost(Duration.ofSeconds(60))
                .until(() -> client.send("GET", "/management/pools/startup-bad", null).json().path("properties"),
                        p -> p.path("provisioningState").asString().equals("Failed"));
        assertThat(shown.path("sandpoolConfiguration").path("failureReason").asString())
                .contains("startup probe failed").contains("GET /missing on port 8080 answered 404");
        assertThat(create("startup-tcp", TIMED, """
                [{"type": "Startup", "tcpSocket": {"port": 9999}, "periodSeconds": 1, "failureThreshold": 1}]""")
                .status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> client.send("GET", "/management/pools/startup-tcp", null).json()
                .path("properties").path("sandpoolConfiguration").path("failureReason").asString().contains("TCP connect on port 9999"));
        for (String name : new String[] {"startup-ok", "startup-bad", "startup-tcp"}) {
            client.send("DELETE", "/management/pools/" + name, null);
        }
    }

    @Test
    void aContainerFailingLivenessIsReplaced() {
        assertThat(create("liveness", TIMED, """
                [{"type": "Liveness", "httpGet": {"path": "/alive", "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
                  "initialDelaySeconds": 1, "periodSeconds": 1, "failureThreshold": 2}]""").status()).isEqualTo(201);
        assertThat(get("liveness", "/alive", "patient-1")).isEqualTo("200 ok");
        String first = etag("liveness", "patient-1");
        assertThat(get("liveness", "/cgi-bin/sicken", "patient-1")).isEqualTo("200 sick");
        assertThat(get("liveness", "/alive", "patient-1")).startsWith("404");
        await().atMost(Duration.ofSeconds(30)).until(() -> get("liveness", "/alive", "patient-1").equals("200 ok"));
        assertThat(etag("liveness", "patient-1")).isNotEqualTo(first);
        assertThat(client.send("GET", "/metrics", null).body()).contains("sandpool_liveness_failures_total{pool=\"liveness\"} 1.0");
        // a healthy container is left alone
        String healthy = etag("liveness", "patient-1");
        await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
        assertThat(etag("liveness", "patient-1")).isEqualTo(healthy);
        client.send("DELETE", "/management/pools/liveness", null);
    }

    @Test
    void onContainerExitSessionsEndWithTheirMainProcess() {
        var created = create("on-exit", "{\"lifecycleType\": \"OnContainerExit\", \"maxAlivePeriodInSeconds\": 600}", "[]");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("dynamicPoolConfiguration").path("lifecycleConfiguration").toString())
                .isEqualTo("{\"lifecycleType\":\"OnContainerExit\",\"maxAlivePeriodInSeconds\":600}");
        var pool = server.server.pools().pool("on-exit").orElseThrow();
        assertThat(get("on-exit", "/alive", "leaver-1")).isEqualTo("200 ok");
        String first = etag("on-exit", "leaver-1");
        assertThat(get("on-exit", "/cgi-bin/quit", "leaver-1")).isEqualTo("200 bye");
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.find(server.sessionKey("leaver-1")).isEmpty());
        // the session leaves the pool before its sandbox is torn down and the end is reported
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.send("GET", "/metrics", null).body())
                .contains("sandpool_sessions_ended_total{pool=\"on-exit\",reason=\"container_exited\"} 1.0"));
        // the identifier's next request gets a new session
        assertThat(get("on-exit", "/alive", "leaver-1")).isEqualTo("200 ok");
        assertThat(etag("on-exit", "leaver-1")).isNotEqualTo(first);
        client.send("DELETE", "/management/pools/on-exit", null);
    }

    @Test
    void onContainerExitSessionsEndAfterTheirMaximumLifetimeEvenWhenBusy() {
        assertThat(create("short-lived", "{\"lifecycleType\": \"OnContainerExit\", \"maxAlivePeriodInSeconds\": 2}", "[]")
                .status()).isEqualTo(201);
        var pool = server.server.pools().pool("short-lived").orElseThrow();
        assertThat(get("short-lived", "/alive", "brief-1")).isEqualTo("200 ok");
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            get("short-lived", "/alive", "other-1"); // activity elsewhere does not keep brief-1 alive
            return pool.find(server.sessionKey("brief-1")).isEmpty();
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.send("GET", "/metrics", null).body())
                .contains("sandpool_sessions_ended_total{pool=\"short-lived\",reason=\"max_alive\"}"));
        client.send("DELETE", "/management/pools/short-lived", null);
    }

    @Test
    void envSecretsReachTheContainerAndAreNeverShown() {
        var created = create("with-secret", TIMED, "[]",
                "\"secrets\": [{\"name\": \"api-token\", \"value\": \"s3cr3t-value\"}],",
                ", \"env\": [{\"name\": \"API_TOKEN\", \"secretRef\": \"api-token\"}, {\"name\": \"PLAIN\", \"value\": \"p\"}]");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("s3cr3t-value").contains("\"secretRef\":\"api-token\"");
        assertThat(get("with-secret", "/cgi-bin/token", "secret-user")).isEqualTo("200 token=s3cr3t-value");
        var shown = client.send("GET", "/management/pools/with-secret", null);
        assertThat(shown.body()).doesNotContain("s3cr3t-value");
        // a client echoing the pool back (without the write-only value) keeps the secret
        var echoed = client.send("PATCH", "/management/pools/with-secret", shown.body());
        assertThat(echoed.status()).as(echoed.body()).isEqualTo(200);
        var unknown = client.send("PATCH", "/management/pools/with-secret", shown.body().replace("\"api-token\"", "\"other\""));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("no secret named 'other'");
        var traversal = client.send("PATCH", "/management/pools/with-secret", shown.body().replace("\"api-token\"", "\"..\""));
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(traversal.body()).contains("is not a secret name");
        client.send("DELETE", "/management/pools/with-secret", null);
    }

    @Test
    void probeFieldsOutsideAzuresRangesAreRefusedWithTheirPath() {
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Liveness\", \"tcpSocket\": {\"port\": 8080}, \"periodSeconds\": 241}]")
                .body()).contains("properties.customContainerTemplate.containers[0].probes[0].periodSeconds: must be between 1 and 240");
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Startup\", \"tcpSocket\": {\"port\": 8080}, \"initialDelaySeconds\": 0}]")
                .status()).isEqualTo(400);
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Startup\", \"tcpSocket\": {\"port\": 1}, \"httpGet\": {\"path\": \"/\"}}]")
                .body()).contains("needs exactly one of httpGet and tcpSocket");
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Readiness\", \"tcpSocket\": {\"port\": 1}}]").status()).isEqualTo(400);
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Liveness\", \"tcpSocket\": {\"port\": 1}, \"bogus\": 1}]")
                .body()).contains("bogus");
        assertThat(create("bad-probe", TIMED, "[{\"type\": \"Liveness\", \"tcpSocket\": {\"port\": 1}},"
                + " {\"type\": \"Liveness\", \"tcpSocket\": {\"port\": 2}}]").body()).contains("at most one Liveness probe");
        assertThat(create("bad-probe", "{\"lifecycleType\": \"Sometimes\"}", "[]").body())
                .contains("lifecycleType must be Timed or OnContainerExit");
        assertThat(create("bad-probe", "{\"lifecycleType\": \"OnContainerExit\", \"maxAlivePeriodInSeconds\": 0}", "[]").body())
                .contains("maxAlivePeriodInSeconds: must be between 1 and 86400");
        assertThat(client.send("GET", "/management/pools/bad-probe", null).status()).isEqualTo(404);
        var python = client.send("PUT", "/management/pools/py-exit", """
                {"properties": {"containerType": "PythonLTS",
                  "dynamicPoolConfiguration": {"lifecycleConfiguration": {"lifecycleType": "OnContainerExit"}}}}""");
        assertThat(python.status()).isEqualTo(400);
        assertThat(python.body()).contains("OnContainerExit lifecycle is for CustomContainer pools");
    }
}
