package dev.sandpool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.config.TlsConfig;
import dev.sandpool.server.SandpoolServer;
import dev.sandpool.server.TlsSetup;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the CLI reaches a server: the key, errors that must not show it, and https with --cacert. */
class ConnectionOptionsTest {
    @Test
    void aWrongKeyExitsNonZeroWithThe401AndNeverPrintsTheKey() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("keyed", 2, 0, 300))) {
            String wrong = "not-the-key-" + "x".repeat(20);
            var wrongKey = new CliRunner(server.server.baseUrl(), wrong);
            for (String[] command : List.of(new String[] {"pool", "list"},
                    new String[] {"session", "exec", "--pool", "keyed", "-i", "someone", "--code", "1"},
                    new String[] {"session", "list-files", "--pool", "keyed", "-i", "someone"})) {
                var result = wrongKey.run(command);
                assertThat(result.exit()).as(result.toString()).isEqualTo(1);
                assertThat(result.out()).isEmpty();
                assertThat(result.err()).isEqualTo("error: Unauthorized: the bearer token is not valid for this server"
                        + " (HTTP 401)\n");
                assertThat(result.err()).doesNotContain(wrong);
            }
            var right = new CliRunner(server.server.baseUrl(), server.server.apiKey().orElseThrow().key()).run("pool", "list");
            assertThat(right.exit()).as(right.toString()).isZero();
            assertThat(right.out()).doesNotContain(server.server.apiKey().orElseThrow().key());
        }
    }

    @Test
    void anUnreachableServerIsAClearError() {
        var result = CliRunner.raw("pool", "list", "--server", "http://127.0.0.1:1", "--api-key", "k");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: ConnectionFailed: cannot connect to http://127.0.0.1:1");
        var notUrl = CliRunner.raw("pool", "list", "--server", "ftp://example.com");
        assertThat(notUrl.exit()).isEqualTo(2);
        assertThat(notUrl.err()).startsWith("error: InvalidArgument: --server must be an http:// or https:// URL");
    }

    @Test
    void httpsWithASelfSignedCertificateWorksWithCacert() throws Exception {
        Path dataDir = TestingRuntime.newDataDir();
        SandboxConfig sandbox = TestingRuntime.sandboxConfig();
        SandpoolConfig config = new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir, TlsConfig.selfSigned()),
                new AuthConfig(AuthMode.API_KEY), sandbox, null, null, List.of(TestingServer.pool("tlspool", 2, 0, 300)));
        try (SandpoolServer server = SandpoolServer.start(config)) {
            assertThat(server.baseUrl()).startsWith("https://");
            String pem = TlsSetup.selfSignedCertificate(dataDir).toString();
            var cli = new CliRunner(server.baseUrl(), server.apiKey().orElseThrow().key());

            var trusted = cli.run("pool", "list", "--cacert", pem, "-o", "table");
            assertThat(trusted.exit()).as(trusted.toString()).isZero();
            assertThat(trusted.out()).contains("tlspool");
            var executed = cli.run("session", "exec", "--pool", "tlspool", "-i", "over-tls", "--code", "40 + 2", "--cacert", pem);
            assertThat(executed.exit()).as(executed.toString()).isZero();
            assertThat(executed.json().path("properties").path("result").asInt()).isEqualTo(42);

            var untrusted = cli.run("pool", "list");
            assertThat(untrusted.exit()).isEqualTo(1);
            assertThat(untrusted.err()).startsWith("error: TlsFailed: ").contains("--cacert FILE");
            var notPem = cli.run("pool", "list", "--cacert", dataDir.resolve("tls/private-key.pem").toString());
            assertThat(notPem.exit()).isEqualTo(2);
            assertThat(notPem.err()).startsWith("error: InvalidArgument: --cacert ");
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }
}
