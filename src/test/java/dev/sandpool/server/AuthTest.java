package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.sandpool.config.ApiKeyConfig;
import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.JwtConfig;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingRuntime;
import dev.sandpool.testing.TestingServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** API keys with roles, JWTs, 401 and 403, and identifier binding (issue: operate it, points 4 and 5). */
class AuthTest {
    private static final String EXECUTOR_KEY = "executor-key-0123456789";
    private static final String OTHER_KEY = "other-executor-key-0123";
    private static final String ADMIN_KEY = "admin-key-0123456789abc";
    private Path dataDir;
    private SandboxConfig sandbox;
    private SandpoolServer server;
    private HttpServer jwks;

    @AfterEach
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
            if (jwks != null) {
                jwks.stop(0);
            }
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    private AzureClient start(AuthConfig auth) throws Exception {
        dataDir = TestingRuntime.newDataDir();
        sandbox = TestingRuntime.sandboxConfig();
        server = SandpoolServer.start(new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir), auth, sandbox, null, null,
                List.of(TestingServer.pool("guarded", 6, 1, 300))));
        return client(null);
    }

    private AzureClient client(String token) {
        return new AzureClient(server.baseUrl(), token);
    }

    private static AuthConfig keys(boolean binding) {
        return new AuthConfig(AuthMode.API_KEY, List.of(
                new ApiKeyConfig("runner", "executor", EXECUTOR_KEY, null, null),
                new ApiKeyConfig("second-runner", "executor", OTHER_KEY, null, null),
                new ApiKeyConfig("operator", "admin", ADMIN_KEY, null, null)), null, binding, null);
    }

    @Test
    void rolesDecideWhatAKeyMayDo() throws Exception {
        start(keys(true));
        AzureClient executor = client(EXECUTOR_KEY);
        AzureClient admin = client(ADMIN_KEY);
        assertThat(executor.execute("guarded", "roles-0001", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
        var forbidden = executor.send("GET", "/management/pools", null);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.header("x-ms-error-code")).isEqualTo("Forbidden");
        assertThat(executor.send("GET", "/subscriptions/s/resourceGroups/r/providers/Microsoft.App/sessionPools", null)
                .status()).isEqualTo(403);
        assertThat(admin.send("GET", "/management/pools", null).status()).isEqualTo(200);
        assertThat(admin.execute("guarded", "roles-0002", "'admins run code too'").status()).isEqualTo(200);
        var wrong = client("not-a-key-at-all-000").execute("guarded", "roles-0001", "1");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("www-authenticate")).isEqualTo("Bearer");
        assertThat(client(null).execute("guarded", "roles-0001", "1").status()).isEqualTo(401);
        assertThat(server.apiKey()).isEmpty();
    }

    @Test
    void withBindingTwoCallersWithOneIdentifierGetTwoSessions() throws Exception {
        start(keys(true));
        AzureClient first = client(EXECUTOR_KEY);
        AzureClient second = client(OTHER_KEY);
        first.execute("guarded", "shared-identifier", "secret = 'first'\nopen('/mnt/data/mine.txt', 'w').write('first')");
        var peek = second.execute("guarded", "shared-identifier",
                "import os\n('secret' in dir(), os.listdir('/mnt/data'))").properties();
        assertThat(peek.path("result").toString()).isEqualTo("[false,[]]");
        assertThat(second.send("GET", "/pools/guarded/files/content/mine.txt?identifier=shared-identifier", null).status())
                .isEqualTo(404);
        assertThat(first.execute("guarded", "shared-identifier", "secret").properties().path("result").asString()).isEqualTo("first");
        var list = second.send("GET", "/pools/guarded/listSessions?api-version=2025-02-02-preview", null).json();
        assertThat(list.path("sessions").findValuesAsString("identifier")).containsExactly("shared-identifier");
        assertThat(list.path("sessions").size()).isEqualTo(1);
        second.deleteSession("guarded", "shared-identifier");
        assertThat(first.execute("guarded", "shared-identifier", "secret").properties().path("result").asString()).isEqualTo("first");
    }

    @Test
    void withoutBindingTheIdentifierAloneNamesTheSessionAsInAzure() throws Exception {
        start(keys(false));
        client(EXECUTOR_KEY).execute("guarded", "azure-like-1", "secret = 'first'");
        assertThat(client(OTHER_KEY).execute("guarded", "azure-like-1", "secret").properties().path("result").asString())
                .isEqualTo("first");
    }

    @Test
    void jwtsAreCheckedAgainstTheJwksIssuerAudienceExpiryAndRole() throws Exception {
        RSAKey signing = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] jwkSet = new JWKSet(signing.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/keys", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwkSet.length);
            exchange.getResponseBody().write(jwkSet);
            exchange.close();
        });
        jwks.start();
        String issuer = "https://login.example.test/tenant/v2.0";
        start(new AuthConfig(AuthMode.JWT, null, new JwtConfig(issuer, "http://127.0.0.1:" + jwks.getAddress().getPort() + "/keys",
                null, null, null, null, null, null, null), true, null));

        long now = System.currentTimeMillis();
        String executor = token(signing, issuer, "https://dynamicsessions.io", List.of("executor"), now + 600_000, "user-1");
        assertThat(client(executor).execute("guarded", "jwt-session", "21 * 2").properties().path("result").asInt()).isEqualTo(42);
        assertThat(client(executor).send("GET", "/management/pools", null).status()).isEqualTo(403);
        String admin = token(signing, issuer, "https://acasessions.io", List.of("admin"), now + 600_000, "ops-1");
        assertThat(client(admin).send("GET", "/management/pools", null).status()).isEqualTo(200);

        for (String bad : List.of(
                token(signing, issuer, "https://management.azure.com", List.of("executor"), now + 600_000, "user-1"),
                token(signing, "https://evil.test", "https://dynamicsessions.io", List.of("executor"), now + 600_000, "user-1"),
                token(signing, issuer, "https://dynamicsessions.io", List.of("executor"), now - 600_000, "user-1"),
                token(stranger, issuer, "https://dynamicsessions.io", List.of("executor"), now + 600_000, "user-1"),
                token(signing, issuer, "https://dynamicsessions.io", List.of(), now + 600_000, "user-1"),
                "not.a.jwt")) {
            assertThat(client(bad).execute("guarded", "jwt-session", "1").status()).isEqualTo(401);
        }
        // the subject owns the session: another user with the same identifier gets a new one
        String other = token(signing, issuer, "https://dynamicsessions.io", List.of("executor"), now + 600_000, "user-2");
        client(executor).execute("guarded", "jwt-shared", "mark = 1");
        assertThat(client(other).execute("guarded", "jwt-shared", "'mark' in dir()").properties().path("result").asBoolean()).isFalse();
    }

    private static String token(RSAKey key, String issuer, String audience, List<String> roles, long expiresAt, String subject)
            throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
                .expirationTime(new Date(expiresAt)).issueTime(new Date());
        if (!roles.isEmpty()) {
            claims.claim("roles", roles);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
