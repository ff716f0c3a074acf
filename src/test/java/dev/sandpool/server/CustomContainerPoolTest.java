package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.CustomContainerConfig;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.image.TestImages;
import dev.sandpool.image.TestRegistry;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A CustomContainer pool from the config file, running a busybox httpd image built offline: the
 * pool endpoint reaches each identifier's own container on its target port.
 */
class CustomContainerPoolTest {
    private static Path layouts;
    private static TestingServer server;
    private static TestRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        layouts = Files.createTempDirectory("sandpool-images-");
        registry = TestRegistry.start(layouts.resolve("registry"));
        registry.push(TestImages.httpd(layouts.resolve("httpd")), "test/httpd:v1", null);
        String image = registry.ref("test/httpd:v1");
        server = TestingServer.start(ExecutionConfig.defaults(), FilesConfig.defaults(),
                new PoolConfig("web", ContainerType.CustomContainer, 4, 1, 300, null, 0.5, DataSize.parse("128Mi"), List.of(),
                        new CustomContainerConfig(image, null, null, Map.of("EXTRA", "1"), 8080, null, null, null, null)));
    }

    @AfterAll
    static void stop() {
        server.close();
        registry.close();
        dev.sandpool.sandbox.Trees.deleteRecursively(layouts);
    }

    @Test
    void thePoolEndpointReachesTheIdentifiersContainer() {
        var page = server.client.send("GET", "/pools/web/index.html?identifier=visitor-1&api-version=2025-02-02-preview", null);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).isEqualTo(TestImages.INDEX_HTML);
        var alias = server.client.send("GET",
                "/subscriptions/s/resourceGroups/r/sessionPools/web/index.html?identifier=visitor-1", null);
        assertThat(alias.body()).isEqualTo(TestImages.INDEX_HTML);
        // the container's own answers pass through, errors included
        assertThat(server.client.send("GET", "/pools/web/no-such-page?identifier=visitor-1", null).status()).isEqualTo(404);
    }

    @Test
    void proxiedBytesAreCounted() {
        server.client.send("GET", "/pools/web/index.html?identifier=counted-1", null);
        server.client.send("POST", "/pools/web/index.html?identifier=counted-1", "{\"twelve\":\"bytes\"}");
        String metrics = server.client.send("GET", "/metrics", null).body();
        long fromContainer = counter(metrics, "sandpool_proxy_bytes_total{direction=\"from_container\",pool=\"web\"}");
        long toContainer = counter(metrics, "sandpool_proxy_bytes_total{direction=\"to_container\",pool=\"web\"}");
        assertThat(fromContainer).isGreaterThanOrEqualTo(TestImages.INDEX_HTML.length());
        assertThat(toContainer).isGreaterThanOrEqualTo(18);
    }

    private static long counter(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(series.length() + 1).strip())).orElse(-1L);
    }

    @Test
    void eachIdentifierGetsItsOwnContainerAndStopSessionEndsIt() {
        var pool = server.server.pools().pool("web").orElseThrow();
        server.client.send("GET", "/pools/web/index.html?identifier=tenant-aa", null);
        server.client.send("GET", "/pools/web/index.html?identifier=tenant-bb", null);
        String a = pool.find(server.sessionKey("tenant-aa")).orElseThrow().etag();
        String b = pool.find(server.sessionKey("tenant-bb")).orElseThrow().etag();
        assertThat(a).isNotEqualTo(b).startsWith("sb-");
        var stop = server.client.send("POST", "/pools/web/.management/stopSession?identifier=tenant-aa&api-version=2025-10-02-preview", null);
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.body()).isEqualTo("Session tenant-aa in session pool web stopped.");
        assertThat(pool.find(server.sessionKey("tenant-aa"))).isEmpty();
        assertThat(server.client.deleteSession("web", "tenant-bb").status()).isEqualTo(204);
        assertThat(pool.find(server.sessionKey("tenant-bb"))).isEmpty();
    }

    @Test
    void customPoolsCanBeCreatedAndChangedThroughTheManagementApi() throws Exception {
        String image = TestImages.httpd(layouts.resolve("api-httpd")).skopeoRef();
        String body = """
                {"properties": {"containerType": "CustomContainer",
                  "scaleConfiguration": {"maxConcurrentSessions": 2, "readySessionInstances": 1},
                  "customContainerTemplate": {
                    "containers": [{"image": "%s", "name": "main", "env": [{"name": "MODE", "value": "api"}],
                                    "resources": {"cpu": 0.25, "memory": "128Mi"}}],
                    "ingress": {"targetPort": 8080}}}}""".formatted(image);
        var created = server.client.send("PUT", "/management/pools/apiweb", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        var template = created.json().path("properties").path("customContainerTemplate");
        assertThat(template.path("containers").get(0).path("image").asString()).isEqualTo(image);
        assertThat(template.path("ingress").path("targetPort").asInt()).isEqualTo(8080);
        assertThat(template.path("containers").get(0).path("resources").path("memory").asString()).isEqualTo("128Mi");
        assertThat(server.client.send("GET", "/pools/apiweb/index.html?identifier=api-user-1", null).body())
                .isEqualTo(TestImages.INDEX_HTML);

        var missingPort = server.client.send("PUT", "/management/pools/noport", body.replace("\"ingress\": {\"targetPort\": 8080}",
                "\"ingress\": {}"));
        assertThat(missingPort.status()).isEqualTo(400);
        assertThat(missingPort.body()).contains("properties.customContainerTemplate.ingress.targetPort");
        var secrets = server.client.send("PUT", "/management/pools/secret", body.replace("\"ingress\"",
                "\"registryCredentials\": {\"server\": \"127.0.0.1:5000\"}, \"ingress\""));
        assertThat(secrets.status()).isEqualTo(400);
        assertThat(server.client.send("DELETE", "/management/pools/apiweb", null).status()).isEqualTo(204);
    }

    @Test
    void anImageThatCannotBePulledGivesAFailedStateWithTheReasonAndNeverHangs() {
        String missing = registry.ref("test/missing:v1");
        var created = server.client.send("PUT", "/management/pools/broken", """
                {"properties": {"containerType": "CustomContainer",
                  "scaleConfiguration": {"maxConcurrentSessions": 2, "readySessionInstances": 1},
                  "customContainerTemplate": {"containers": [{"image": "%s"}], "ingress": {"targetPort": 8080}}}}"""
                .formatted(missing));
        assertThat(created.status()).isEqualTo(201);
        var call = server.client.send("GET", "/pools/broken/index.html?identifier=unlucky-1", null);
        assertThat(call.status()).isEqualTo(503);
        assertThat(call.body()).contains("cannot pull");
        var shown = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> server.client.send("GET", "/management/pools/broken", null).json().path("properties"),
                        p -> p.path("provisioningState").asString().equals("Failed"));
        assertThat(shown.path("sandpoolConfiguration").path("failureReason").asString()).contains("cannot pull").contains("missing");
        server.client.send("DELETE", "/management/pools/broken", null);
    }

    @Test
    void operatorsListSessionsAndReadAContainersConsole() {
        server.client.send("GET", "/pools/web/index.html?identifier=logged-user", null);
        var sessions = server.client.send("GET", "/management/pools/web/sessions", null);
        assertThat(sessions.status()).isEqualTo(200);
        assertThat(sessions.body()).doesNotContain("logged-user");
        String etag = server.server.pools().pool("web").orElseThrow().find(server.sessionKey("logged-user")).orElseThrow().etag();
        assertThat(sessions.json().path("value").findValuesAsString("etag")).contains(etag);
        var console = server.client.send("GET", "/management/pools/web/sessions/" + etag + "/console", null);
        assertThat(console.status()).isEqualTo(200);
        assertThat(console.header("content-type")).startsWith("text/plain");
        assertThat(server.client.send("GET", "/management/pools/web/sessions/sb-nope/console", null).status()).isEqualTo(404);
    }

    @Test
    void aRestartReadoptsTheContainersOfAllocatedSessions() throws Exception {
        Path dataDir = dev.sandpool.testing.TestingRuntime.newDataDir();
        var sandbox = dev.sandpool.testing.TestingRuntime.sandboxConfig();
        var config = new dev.sandpool.config.SandpoolConfig(new dev.sandpool.config.ServerConfig("127.0.0.1", 0, dataDir),
                new dev.sandpool.config.AuthConfig(dev.sandpool.config.AuthMode.NONE), sandbox, null, null,
                List.of(new PoolConfig("kept", ContainerType.CustomContainer, 2, 0, 300, null, 0.5, DataSize.parse("128Mi"),
                        List.of(), new CustomContainerConfig(registry.ref("test/httpd:v1"), null, null, null, 8080,
                        null, null, null, null))));
        try {
            SandpoolServer first = SandpoolServer.start(config);
            var client = new dev.sandpool.testing.AzureClient(first.baseUrl(), null);
            assertThat(client.send("GET", "/pools/kept/index.html?identifier=stays-1", null).body()).isEqualTo(TestImages.INDEX_HTML);
            String etag = first.pools().pool("kept").orElseThrow().find("anonymous stays-1").orElseThrow().etag();
            first.stopKeepingSessions();
            SandpoolServer second = SandpoolServer.start(config);
            try {
                var again = new dev.sandpool.testing.AzureClient(second.baseUrl(), null);
                assertThat(again.send("GET", "/pools/kept/index.html?identifier=stays-1", null).body())
                        .isEqualTo(TestImages.INDEX_HTML);
                assertThat(second.pools().pool("kept").orElseThrow().find("anonymous stays-1").orElseThrow().etag())
                        .isEqualTo(etag);
            } finally {
                second.close();
            }
        } finally {
            dev.sandpool.testing.TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    @Test
    void requestsWithoutAnIdentifierOrKeyAreRefusedBeforeAnyContainer() {
        assertThat(server.client.send("GET", "/pools/web/index.html", null).status()).isEqualTo(400);
        assertThat(server.client.send("GET", "/pools/web/index.html?identifier=visitor-9", null, null).status()).isEqualTo(401);
    }
}
