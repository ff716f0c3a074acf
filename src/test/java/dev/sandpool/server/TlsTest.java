package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ConfigException;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.config.TlsConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * HTTPS on a real server with real sandboxes: clients that trust only the server's certificate
 * execute code, clients that do not are refused at the handshake, the self-signed certificate
 * survives restarts, and operator-provided PEM files work in the forms openssl writes.
 */
class TlsTest {
    private static final String POOL = "tls";

    @TempDir
    Path dir;

    @Test
    void selfSignedCertificateServesHttpsAndIsReusedOnTheNextStart() throws Exception {
        Path dataDir = TestingRuntime.newDataDir();
        SandboxConfig sandbox = TestingRuntime.sandboxConfig();
        SandpoolConfig config = config(new ServerConfig("127.0.0.1", 0, dataDir, TlsConfig.selfSigned()), sandbox);
        try {
            Path pem = TlsSetup.selfSignedCertificate(dataDir);
            String firstFingerprint;
            try (SandpoolServer server = SandpoolServer.start(config)) {
                assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
                assertThat(pem).isEqualTo(dataDir.resolve("tls/certificate.pem"));
                assertThat(Files.getPosixFilePermissions(dataDir.resolve("tls/private-key.pem")))
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
                X509Certificate certificate = TlsPem.certificates(Files.readString(pem)).getFirst();
                assertThat(certificate.getSubjectAlternativeNames()).extracting(san -> san.get(1).toString())
                        .contains("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
                assertThat(Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant())
                        .toDays()).isBetween(824L, 827L);

                HttpClient trusting = clientTrusting(certificate);
                HttpResponse<String> executed = execute(trusting, server, "print('over https')\n40 + 2");
                assertThat(executed.statusCode()).isEqualTo(200);
                JsonNode properties = AzureClient.JSON.readTree(executed.body()).path("properties");
                assertThat(properties.path("status").asString()).isEqualTo("Success");
                assertThat(properties.path("stdout").asString()).isEqualTo("over https\n");
                assertThat(properties.path("result").asInt()).isEqualTo(42);
                firstFingerprint = fingerprint(executed.sslSession().orElseThrow().getPeerCertificates()[0]);
                assertThat(firstFingerprint).isEqualTo(fingerprint(certificate));

                // The name clients use most, checked against the certificate's DNS entry.
                HttpResponse<String> byName = trusting.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(byName.statusCode()).isEqualTo(200);

                // The JDK's default trust store knows public CAs only: the handshake must fail.
                HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                assertThatThrownBy(() -> execute(defaultTrust, server, "1"))
                        .isInstanceOf(SSLHandshakeException.class);
                // Neither may anything be served in the clear on the TLS port.
                HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                        .timeout(Duration.ofSeconds(10)).build();
                assertThatThrownBy(() -> defaultTrust.send(plain, HttpResponse.BodyHandlers.ofString()))
                        .isInstanceOf(IOException.class);
            }
            String pemBefore = Files.readString(pem);
            try (SandpoolServer again = SandpoolServer.start(config)) {
                X509Certificate reused = TlsPem.certificates(Files.readString(pem)).getFirst();
                HttpResponse<String> executed = execute(clientTrusting(reused), again, "1 + 1");
                assertThat(executed.statusCode()).isEqualTo(200);
                assertThat(fingerprint(executed.sslSession().orElseThrow().getPeerCertificates()[0])).isEqualTo(firstFingerprint);
                assertThat(Files.readString(pem)).isEqualTo(pemBefore);
            }
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    @Test
    void aSelfSignedCertificateThatNoLongerNamesTheHostIsReplaced() throws Exception {
        Path dataDir = dir.resolve("data");
        TlsSelfSigned.loadOrCreate(dataDir, "127.0.0.1");
        String first = Files.readString(TlsSetup.selfSignedCertificate(dataDir));
        TlsSelfSigned.loadOrCreate(dataDir, "localhost");
        assertThat(Files.readString(TlsSetup.selfSignedCertificate(dataDir))).isEqualTo(first);
        TlsSelfSigned.loadOrCreate(dataDir, "sandpool.internal");
        X509Certificate replaced = TlsPem.certificates(Files.readString(TlsSetup.selfSignedCertificate(dataDir))).getFirst();
        assertThat(Files.readString(TlsSetup.selfSignedCertificate(dataDir))).isNotEqualTo(first);
        assertThat(replaced.getSubjectAlternativeNames()).extracting(san -> san.get(1).toString())
                .contains("sandpool.internal", "localhost", "127.0.0.1");
    }

    @Test
    void providedCertificateAndKeyAreServed() throws Exception {
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        X509Certificate provided = keytoolPemPair("RSA", certificate, key);
        Path dataDir = TestingRuntime.newDataDir();
        SandboxConfig sandbox = TestingRuntime.sandboxConfig();
        SandpoolConfig config = config(new ServerConfig("127.0.0.1", 0, dataDir, new TlsConfig(true, certificate, key)), sandbox);
        try (SandpoolServer server = SandpoolServer.start(config)) {
            assertThat(server.baseUrl()).startsWith("https://");
            HttpResponse<String> executed = execute(clientTrusting(provided), server, "6 * 7");
            assertThat(executed.statusCode()).isEqualTo(200);
            assertThat(AzureClient.JSON.readTree(executed.body()).path("properties").path("result").asInt()).isEqualTo(42);
            assertThat(fingerprint(executed.sslSession().orElseThrow().getPeerCertificates()[0])).isEqualTo(fingerprint(provided));
            assertThat(dataDir.resolve("tls")).doesNotExist();
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingTheKey() throws Exception {
        Path certificate = dir.resolve("a.crt");
        keytoolPemPair("EC", certificate, dir.resolve("a.key"));
        Path otherKey = dir.resolve("b.key");
        keytoolPemPair("EC", dir.resolve("b.crt"), otherKey);
        ServerConfig server = new ServerConfig("127.0.0.1", 0, dir, new TlsConfig(true, certificate, otherKey));
        assertThatThrownBy(() -> TlsSetup.forServer(server))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.privateKey: ")
                .hasMessageContaining("is not the key of the first certificate");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        assertThatThrownBy(() -> TlsSetup.forServer(new ServerConfig("127.0.0.1", 0, dir,
                new TlsConfig(true, garbage, otherKey))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.certificate: ");
    }

    @Test
    void opensslKeyFormatsAreRead() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/openssl"))).as("openssl installed").isTrue();
        // PKCS#1 RSA, SEC1 EC with openssl's EC PARAMETERS block in front, and PKCS#8.
        openssl("genrsa", "-traditional", "-out", "rsa.key", "2048");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        assertThat(Files.readString(dir.resolve("rsa.key"))).contains("BEGIN RSA PRIVATE KEY");
        assertThat(Files.readString(dir.resolve("ec.key"))).contains("BEGIN EC PARAMETERS", "BEGIN EC PRIVATE KEY");
        for (String name : List.of("rsa", "ec", "ed")) {
            openssl("req", "-x509", "-key", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
            // A chain file with another certificate after the leaf: only the first must match the key.
            Files.writeString(dir.resolve(name + ".chain"), Files.readString(dir.resolve(name + ".crt"))
                    + Files.readString(dir.resolve("rsa.crt")));
            TlsSetup.Credentials credentials = TlsSetup.read(dir.resolve(name + ".chain"), dir.resolve(name + ".key"));
            assertThat(credentials.chain()).hasSize(2);
            assertThat(TlsSetup.forServer(new ServerConfig("127.0.0.1", 0, dir,
                    new TlsConfig(true, dir.resolve(name + ".crt"), dir.resolve(name + ".key")))).enabled()).isTrue();
        }
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec.key", "-out", "ec.pk8");
        assertThat(TlsSetup.read(dir.resolve("ec.crt"), dir.resolve("ec.pk8")).key().getAlgorithm()).isEqualTo("EC");
        openssl("pkcs8", "-topk8", "-passout", "pass:secret", "-in", "ec.key", "-out", "ec.enc");
        assertThatThrownBy(() -> TlsSetup.read(dir.resolve("ec.crt"), dir.resolve("ec.enc")))
                .hasMessageStartingWith("server.tls.privateKey: ")
                .hasMessageContaining("encrypted");
    }

    private static SandpoolConfig config(ServerConfig server, SandboxConfig sandbox) {
        return new SandpoolConfig(server, new AuthConfig(AuthMode.API_KEY), sandbox, null, null,
                List.of(TestingServer.pool(POOL, 2, 0, 300)));
    }

    private static HttpResponse<String> execute(HttpClient client, SandpoolServer server, String code) throws Exception {
        String body = AzureClient.JSON.createObjectNode().set("properties", AzureClient.JSON.createObjectNode()
                .put("codeInputType", "inline").put("executionType", "synchronous").put("code", code)).toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.poolEndpoint(POOL)
                        + "/code/execute?identifier=tls-session-1&api-version=" + AzureClient.V1))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + server.apiKey().orElseThrow().key())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A client whose only trust anchor is the given certificate, as curl --cacert or SSL_CERT_FILE make one. */
    private static HttpClient clientTrusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("sandpool", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** What an operator would bring: a certificate and a PKCS#8 key in PEM, made with nothing but the JDK. */
    private X509Certificate keytoolPemPair(String algorithm, Path certificate, Path key) throws Exception {
        Path store = Files.createTempFile(dir, "pair-", ".p12");
        Files.delete(store);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-noprompt", "-alias", "pair", "-keyalg", algorithm,
                "-keysize", algorithm.equals("RSA") ? "2048" : "256", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit"));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        PrivateKey privateKey = (PrivateKey) keyStore.getKey("pair", "changeit".toCharArray());
        X509Certificate cert = (X509Certificate) keyStore.getCertificate("pair");
        Files.writeString(key, TlsPem.encode("PRIVATE KEY", privateKey.getEncoded()));
        Files.writeString(certificate, TlsPem.encode("CERTIFICATE", cert.getEncoded()));
        return cert;
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        run(command);
    }

    private void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    private static String fingerprint(Certificate certificate) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }
}
