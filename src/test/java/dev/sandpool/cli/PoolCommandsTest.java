package dev.sandpool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code sandpool pool ...} against a real server's management API. */
class PoolCommandsTest {
    private static TestingServer server;
    private static CliRunner cli;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("clipool", 4, 1, 300));
        cli = new CliRunner(server.server.baseUrl(), server.server.apiKey().orElseThrow().key());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void createWaitShowListUpdateDeleteRoundTrip() {
        var created = cli.run("pool", "create", "--name", "cli-made", "--max-sessions", "3", "--ready-sessions", "2",
                "--cooldown-period", "600", "--cpu", "0.5", "--memory", "256Mi", "--isolation", "gvisor",
                "--wait", "--timeout", "120");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonNode p = created.json().path("properties");
        assertThat(created.json().path("name").asString()).isEqualTo("cli-made");
        assertThat(p.path("containerType").asString()).isEqualTo("PythonLTS");
        assertThat(p.path("scaleConfiguration").path("maxConcurrentSessions").asInt()).isEqualTo(3);
        assertThat(p.path("dynamicPoolConfiguration").path("lifecycleConfiguration").path("cooldownPeriodInSeconds").asInt())
                .isEqualTo(600);
        assertThat(p.path("sandpoolConfiguration").path("memory").asString()).isEqualTo("256Mi");
        assertThat(p.path("sandpoolConfiguration").path("isolation").asString()).isEqualTo("gvisor");
        // --wait returned the resource once both ready sessions were up, and said so on stderr.
        assertThat(p.path("templateUpdateStatus").path("activeTemplate").path("status").path("readyCount").asInt()).isEqualTo(2);
        assertThat(created.err()).contains("pool cli-made: ready 2/2");

        var shown = cli.run("pool", "show", "--name", "cli-made");
        assertThat(shown.exit()).as(shown.toString()).isZero();
        assertThat(shown.json().path("properties").path("poolManagementEndpoint").asString())
                .isEqualTo(server.server.baseUrl() + "/pools/cli-made");
        var table = cli.run("pool", "show", "--name", "cli-made", "--output", "table");
        assertThat(table.out().lines().toList()).hasSize(2);
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("NAME").contains("TYPE", "MAX", "READY", "MEMORY");
        assertThat(table.out()).containsPattern("cli-made +PythonLTS +3 +2/2 +0 +600s +EgressDisabled +0.5 +256Mi +api");

        var listed = cli.run("pool", "list");
        assertThat(listed.exit()).isZero();
        assertThat(listed.json().isArray()).isTrue();
        assertThat(listed.json().valueStream().map(pool -> pool.path("name").asString())).contains("clipool", "cli-made");
        var listedTable = cli.run("pool", "list", "-o", "table");
        assertThat(listedTable.out()).contains("clipool", "cli-made", "config");

        // Only the given fields change: the cooldown and the memory stay.
        var updated = cli.run("pool", "update", "--name", "cli-made", "--max-sessions", "4", "--ready-sessions", "1", "--wait");
        assertThat(updated.exit()).as(updated.toString()).isZero();
        JsonNode u = updated.json().path("properties");
        assertThat(u.path("scaleConfiguration").path("maxConcurrentSessions").asInt()).isEqualTo(4);
        assertThat(u.path("scaleConfiguration").path("readySessionInstances").asInt()).isEqualTo(1);
        assertThat(u.path("dynamicPoolConfiguration").path("cooldownPeriodInSeconds").asInt()).isEqualTo(600);
        assertThat(u.path("sandpoolConfiguration").path("memory").asString()).isEqualTo("256Mi");

        var deleted = cli.run("pool", "delete", "--name", "cli-made");
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        var gone = cli.run("pool", "show", "--name", "cli-made");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.out()).isEmpty();
        assertThat(gone.err()).startsWith("error: ResourceNotFound: ").contains("cli-made", "(HTTP 404)");
    }

    @Test
    void anInvalidValueGetsTheServersErrorNamingTheField() {
        var result = cli.run("pool", "create", "--name", "too-ready", "--ready-sessions", "9", "--max-sessions", "2");
        assertThat(result.exit()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("error: InvalidRequestBody: ")
                .contains("properties.scaleConfiguration.readySessionInstances", "(got 9)");
        assertThat(cli.run("pool", "show", "--name", "too-ready").exit()).isEqualTo(1);
    }

    @Test
    void createACustomContainerPoolFromAnImageAndWaitWhileItIsPulledAndStarted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String image = dev.sandpool.image.TestImages.httpd(dir.resolve("httpd")).skopeoRef();
        var created = cli.run("pool", "create", "--name", "cli-web", "--container-type", "CustomContainer", "--image", image,
                "--target-port", "8080", "--max-sessions", "2", "--ready-sessions", "1", "--memory", "128Mi",
                "--wait", "--timeout", "120");
        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(created.err()).contains("pool cli-web: ready 1/1");
        var template = AzureClientJson.parse(created.out()).path("properties").path("customContainerTemplate");
        assertThat(template.path("containers").get(0).path("image").asString()).isEqualTo(image);
        assertThat(server.client.send("GET", "/pools/cli-web/index.html?identifier=cli-visitor", null).body())
                .isEqualTo(dev.sandpool.image.TestImages.INDEX_HTML);
        assertThat(cli.run("pool", "delete", "--name", "cli-web").exit()).isZero();
    }

    /** The CLI prints the resource as JSON on stdout. */
    private static final class AzureClientJson {
        static tools.jackson.databind.JsonNode parse(String text) {
            return dev.sandpool.testing.AzureClient.JSON.readTree(text);
        }
    }

    @Test
    void registryCredentialsAreKeptAsASecretAndNeverShown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (var registry = dev.sandpool.image.TestRegistry.startWithAuth(dir.resolve("registry"), "puller", "hunter2-secret")) {
            registry.push(dev.sandpool.image.TestImages.httpd(dir.resolve("httpd")), "private/httpd:v1", "puller:hunter2-secret");
            var result = cli.run("pool", "create", "--name", "byoc", "--container-type", "CustomContainer",
                    "--image", registry.ref("private/httpd:v1"), "--target-port", "8080", "--env-vars", "A=1", "B=two",
                    "--registry-server", registry.hostPort(), "--registry-username", "puller",
                    "--registry-password", "hunter2-secret", "--max-sessions", "1", "--ready-sessions", "1",
                    "--wait", "--timeout", "120");
            assertThat(result.exit()).as(result.toString()).isZero();
            assertThat(result.out() + result.err()).doesNotContain("hunter2-secret");
            var shown = server.client.send("GET", "/management/pools/byoc", null);
            assertThat(shown.body()).doesNotContain("hunter2-secret").contains("passwordSecretRef");
            try (var files = java.nio.file.Files.walk(server.dataDir().resolve("secrets"))) {
                for (var file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            java.nio.file.Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
                }
            }
            assertThat(server.client.send("GET", "/pools/byoc/index.html?identifier=private-visitor", null).body())
                    .isEqualTo(dev.sandpool.image.TestImages.INDEX_HTML);
            assertThat(cli.run("pool", "delete", "--name", "byoc").exit()).isZero();
            assertThat(server.dataDir().resolve("secrets").resolve("byoc")).doesNotExist();
        }
    }

    @Test
    void customContainerFlagsAreShapedAsAzuresTemplate() {
        var create = new PoolCommands.Create();
        new CommandLine(create).parseArgs("--name", "byoc", "--image", "registry.example.com/app:1", "--target-port", "8080",
                "--cpu", "0.5", "--memory", "1Gi", "--env-vars", "A=1", "B=x=y", "--command", "/bin/sh", "-c",
                "--args", "serve", "--registry-server", "registry.example.com", "--registry-username", "bot",
                "--registry-password", "pw", "--max-sessions", "5");
        assertThat(create.flags.body("byoc", true)).isEqualTo(AzureClient.JSON.readTree("""
                {"properties": {
                  "containerType": "CustomContainer", "poolManagementType": "Dynamic",
                  "scaleConfiguration": {"maxConcurrentSessions": 5},
                  "customContainerTemplate": {
                    "containers": [{"image": "registry.example.com/app:1", "name": "byoc",
                      "command": ["/bin/sh", "-c"], "args": ["serve"],
                      "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "x=y"}],
                      "resources": {"cpu": 0.5, "memory": "1Gi"}}],
                    "ingress": {"targetPort": 8080},
                    "registryCredentials": {"server": "registry.example.com", "username": "bot",
                      "passwordSecretRef": "registry-example-com-password"}},
                  "secrets": [{"name": "registry-example-com-password", "value": "pw"}]}}"""));
    }

    @Test
    void anUpdateSendsOnlyTheGivenFields() {
        var update = new PoolCommands.Update();
        new CommandLine(update).parseArgs("--name", "p1", "--cooldown-period", "900");
        assertThat(update.flags.body("p1", false)).isEqualTo(AzureClient.JSON.readTree("""
                {"properties": {"dynamicPoolConfiguration": {"lifecycleConfiguration":
                  {"lifecycleType": "Timed", "cooldownPeriodInSeconds": 900}}}}"""));
    }

    @Test
    void usageErrorsExitWith2() {
        var missingName = cli.run("pool", "create");
        assertThat(missingName.exit()).isEqualTo(2);
        assertThat(missingName.err()).contains("Missing required option: '--name=NAME'");
        var badOutput = cli.run("pool", "list", "--output", "yaml");
        assertThat(badOutput.exit()).isEqualTo(2);
        var badEnv = cli.run("pool", "create", "--name", "byoc", "--image", "x", "--env-vars", "NOEQUALS");
        assertThat(badEnv.exit()).isEqualTo(2);
        assertThat(badEnv.err()).startsWith("error: InvalidArgument: --env-vars takes NAME=VALUE pairs");
    }
}
