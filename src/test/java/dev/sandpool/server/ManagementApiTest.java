package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Pools managed at run time as ARM sessionPools resources (wire-protocol.md 9.1), next to config-file pools. */
class ManagementApiTest {
    private Path dataDir;
    private SandboxConfig sandbox;
    private SandpoolServer server;
    private AzureClient client;

    @BeforeEach
    void start() throws Exception {
        dataDir = TestingRuntime.newDataDir();
        sandbox = TestingRuntime.sandboxConfig();
        startServer();
    }

    private void startServer() throws Exception {
        server = SandpoolServer.start(new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir),
                new AuthConfig(AuthMode.API_KEY), sandbox, null, null, List.of(TestingServer.pool("from-file", 2, 0, 300))));
        client = new AzureClient(server.baseUrl(), server.apiKey().orElseThrow().key());
    }

    @AfterEach
    void stop() {
        try {
            server.close();
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    private static final String POOL = """
            {"location": "local", "properties": {
              "containerType": "PythonLTS", "poolManagementType": "Dynamic",
              "scaleConfiguration": {"maxConcurrentSessions": 3, "readySessionInstances": 1},
              "dynamicPoolConfiguration": {"lifecycleConfiguration": {"lifecycleType": "Timed", "cooldownPeriodInSeconds": 600}},
              "sessionNetworkConfiguration": {"status": "EgressDisabled"},
              "sandpoolConfiguration": {"cpu": 0.5, "memory": "256Mi"}}}""";

    @Test
    void createShowUseAndListPools() {
        var created = client.send("PUT", "/management/pools/analysts", POOL);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode resource = created.json();
        assertThat(resource.path("id").asString()).endsWith("/providers/Microsoft.App/sessionPools/analysts");
        assertThat(resource.path("type").asString()).isEqualTo("Microsoft.App/sessionPools");
        JsonNode p = resource.path("properties");
        assertThat(p.path("containerType").asString()).isEqualTo("PythonLTS");
        assertThat(p.path("scaleConfiguration").path("maxConcurrentSessions").asInt()).isEqualTo(3);
        assertThat(p.path("dynamicPoolConfiguration").path("cooldownPeriodInSeconds").asInt()).isEqualTo(600);
        assertThat(p.path("dynamicPoolConfiguration").path("lifecycleConfiguration").path("lifecycleType").asString()).isEqualTo("Timed");
        assertThat(p.path("provisioningState").asString()).isEqualTo("Succeeded");
        assertThat(p.path("sandpoolConfiguration").path("memory").asString()).isEqualTo("256Mi");
        String endpoint = p.path("poolManagementEndpoint").asString();
        assertThat(endpoint).isEqualTo(server.baseUrl() + "/pools/analysts");

        assertThat(new AzureClient(server.baseUrl(), server.apiKey().orElseThrow().key())
                .execute("analysts", "first-user", "6 * 7").properties().path("result").asInt()).isEqualTo(42);
        JsonNode shown = client.send("GET", "/management/pools/analysts", null).json();
        assertThat(shown.path("properties").path("templateUpdateStatus").path("activeTemplate").path("status")
                .path("allocatedCount").asInt()).isEqualTo(1);
        JsonNode all = client.send("GET", "/management/pools", null).json();
        assertThat(all.path("value").findValuesAsString("name")).containsExactly("analysts", "from-file");
        // the ARM path reaches the same resource
        assertThat(client.send("GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/sessionPools/analysts", null)
                .json().path("name").asString()).isEqualTo("analysts");
    }

    @Test
    void patchAppliesToNewSessionsAndNeverEndsAllocatedOnes() {
        client.send("PUT", "/management/pools/shrinking", POOL);
        client.execute("shrinking", "keeper-1", "state = 'kept'");
        client.execute("shrinking", "keeper-2", "state = 'kept'");
        var patched = client.send("PATCH", "/management/pools/shrinking",
                "{\"properties\": {\"scaleConfiguration\": {\"maxConcurrentSessions\": 1, \"readySessionInstances\": 0}}}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("properties").path("scaleConfiguration").path("maxConcurrentSessions").asInt()).isEqualTo(1);
        assertThat(patched.json().path("properties").path("dynamicPoolConfiguration").path("cooldownPeriodInSeconds").asInt())
                .isEqualTo(600);
        assertThat(client.execute("shrinking", "keeper-1", "state").properties().path("result").asString()).isEqualTo("kept");
        assertThat(client.execute("shrinking", "keeper-2", "state").properties().path("result").asString()).isEqualTo("kept");
        assertThat(client.execute("shrinking", "newcomer-1", "1").status()).isEqualTo(404);
        var pool = server.pools().pool("shrinking").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.readyCount() == 0);
    }

    @Test
    void validationErrorsNameTheFieldAndTheRange() {
        var r = client.send("PUT", "/management/pools/bad-pool",
                "{\"properties\": {\"scaleConfiguration\": {\"maxConcurrentSessions\": 2, \"readySessionInstances\": 5},"
                        + "\"dynamicPoolConfiguration\": {\"cooldownPeriodInSeconds\": 0}}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("properties.scaleConfiguration.readySessionInstances: must be between 0 and maxConcurrentSessions (2)")
                .contains("properties.dynamicPoolConfiguration.cooldownPeriodInSeconds: must be between 1 and 86400");
        assertThat(client.send("PUT", "/management/pools/bad-pool",
                "{\"properties\": {\"scaleConfiguration\": {\"maxConcurrentSessions\": \"ten\"}}}").body())
                .contains("properties.scaleConfiguration.maxConcurrentSessions must be a whole number");
        assertThat(client.send("PUT", "/management/pools/Bad_Name", POOL).status()).isEqualTo(400);
        assertThat(client.send("GET", "/management/pools/bad-pool", null).status()).isEqualTo(404);
        client.send("PUT", "/management/pools/typed", POOL);
        assertThat(client.send("PATCH", "/management/pools/typed", "{\"properties\": {\"containerType\": \"NodeLTS\"}}").status())
                .isEqualTo(400);
    }

    @Test
    void isolationRoundTripsSurvivesARestartAndBadValuesAre400() throws Exception {
        var created = client.send("PUT", "/management/pools/hardened",
                POOL.replace("\"memory\": \"256Mi\"", "\"memory\": \"256Mi\", \"isolation\": \"gvisor\""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("properties").path("sandpoolConfiguration").path("isolation").asString())
                .isEqualTo("gvisor");
        // gVisor's own kernel answers, not the host's
        assertThat(client.execute("hardened", "hardened-1", "import platform\nplatform.release()").properties()
                .path("result").asString()).isEqualTo("4.4.0");
        var bad = client.send("PATCH", "/management/pools/hardened",
                "{\"properties\": {\"sandpoolConfiguration\": {\"isolation\": \"vm\"}}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("x-ms-error-code")).isNotBlank();
        assertThat(bad.json().path("error").path("message").asString())
                .contains("properties.sandpoolConfiguration.isolation must be namespaces or gvisor");
        var container = client.send("PUT", "/management/pools/boxed", """
                {"properties": {"containerType": "CustomContainer", "sandpoolConfiguration": {"isolation": "gvisor"},
                  "customContainerTemplate": {"containers": [{"image": "registry.example/app:1", "name": "main"}],
                    "ingress": {"targetPort": 8080}}}}""");
        assertThat(container.status()).isEqualTo(400);
        assertThat(container.json().path("error").path("message").asString())
                .contains("properties.sandpoolConfiguration.isolation: gvisor is for PythonLTS, NodeLTS and Shell pools");
        server.close();
        startServer();
        assertThat(client.send("GET", "/management/pools/hardened", null).json().path("properties")
                .path("sandpoolConfiguration").path("isolation").asString()).isEqualTo("gvisor");
        assertThat(client.send("GET", "/management/pools/from-file", null).json().path("properties")
                .path("sandpoolConfiguration").path("isolation").asString()).isEqualTo("namespaces");
    }

    @Test
    void configFilePoolsAreReadOnlyHere() {
        assertThat(client.send("GET", "/management/pools/from-file", null).json().path("properties")
                .path("sandpoolConfiguration").path("source").asString()).isEqualTo("config");
        assertThat(client.send("PATCH", "/management/pools/from-file", "{\"properties\": {}}").status()).isEqualTo(409);
        assertThat(client.send("DELETE", "/management/pools/from-file", null).status()).isEqualTo(409);
    }

    @Test
    void deleteEndsTheSessionsAndFreesEverything() {
        client.send("PUT", "/management/pools/doomed", POOL);
        client.execute("doomed", "doomed-user", "1");
        assertThat(client.send("DELETE", "/management/pools/doomed", null).status()).isEqualTo(204);
        assertThat(client.execute("doomed", "doomed-user", "1").header("x-ms-error-code")).isEqualTo("SessionPoolNotFound");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var dirs = java.nio.file.Files.list(dataDir.resolve("sessions"))) {
                return dirs.count() == 0;
            }
        });
    }

    @Test
    void apiPoolsSurviveARestartAndTheManagementApiNeedsTheKey() throws Exception {
        client.send("PUT", "/management/pools/durable", POOL);
        assertThat(client.send("GET", "/management/pools", null, null).status()).isEqualTo(401);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("sandpool.db")))).isEqualTo("rw-------");
        server.close();
        startServer();
        JsonNode back = client.send("GET", "/management/pools/durable", null).json();
        assertThat(back.path("properties").path("dynamicPoolConfiguration").path("cooldownPeriodInSeconds").asInt()).isEqualTo(600);
        assertThat(client.execute("durable", "after-restart", "'ok'").properties().path("result").asString()).isEqualTo("ok");
    }
}
