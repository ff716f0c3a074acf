package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ManagedIdentityConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The App Service managed-identity protocol as azure-identity speaks it (GET with resource and
 * api-version 2019-08-01, header X-IDENTITY-HEADER): the token it issues is accepted by the data plane.
 */
class ManagedIdentityTokenTest {
    @Test
    void azureCredentialChainsGetATokenTheDataPlaneAccepts() throws Exception {
        Path dataDir = TestingRuntime.newDataDir();
        var sandbox = TestingRuntime.sandboxConfig();
        SandpoolConfig config = new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir),
                new AuthConfig(AuthMode.API_KEY, new ManagedIdentityConfig(true, null)), sandbox, null, null,
                List.of(TestingServer.pool("msi", 2, 0, 300)));
        try (var server = dev.sandpool.server.SandpoolServer.start(config)) {
            String secret = server.identitySecret().orElseThrow().value();
            HttpClient http = HttpClient.newHttpClient();
            String endpoint = server.baseUrl() + "/msi/token";
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(
                    endpoint + "?api-version=2019-08-01&resource=https%3A%2F%2Fdynamicsessions.io"))
                    .header("X-IDENTITY-HEADER", secret).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode token = AzureClient.JSON.readTree(ok.body());
            assertThat(token.path("token_type").asString()).isEqualTo("Bearer");
            assertThat(Long.parseLong(token.path("expires_on").asString())).isGreaterThan(System.currentTimeMillis() / 1000);
            assertThat(token.path("resource").asString()).isEqualTo("https://dynamicsessions.io");

            AzureClient withToken = new AzureClient(server.baseUrl(), token.path("access_token").asString());
            assertThat(withToken.execute("msi", "msi-client", "40+2").properties().path("result").asInt()).isEqualTo(42);

            HttpResponse<String> wrongHeader = http.send(HttpRequest.newBuilder(URI.create(
                    endpoint + "?api-version=2019-08-01&resource=https://dynamicsessions.io"))
                    .header("X-IDENTITY-HEADER", "guess").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongHeader.statusCode()).isEqualTo(401);
            HttpResponse<String> otherAudience = http.send(HttpRequest.newBuilder(URI.create(
                    endpoint + "?api-version=2019-08-01&resource=https://management.azure.com"))
                    .header("X-IDENTITY-HEADER", secret).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(otherAudience.statusCode()).isEqualTo(400);
            HttpResponse<String> acasessions = http.send(HttpRequest.newBuilder(URI.create(
                    endpoint + "?api-version=2019-08-01&resource=https://acasessions.io/.default"))
                    .header("X-IDENTITY-HEADER", secret).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(acasessions.statusCode()).isEqualTo(200);
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    @Test
    void theEndpointIsOffByDefault() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("nomsi", 1, 0, 300))) {
            var r = server.client.send("GET", "/msi/token?api-version=2019-08-01&resource=https://dynamicsessions.io", null);
            assertThat(r.status()).isEqualTo(404);
        }
    }
}
