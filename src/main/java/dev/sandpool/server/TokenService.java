package dev.sandpool.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /msi/token}: Azure App Service's managed-identity protocol, answered with a token valid
 * for this server, for clients that only authenticate through Azure's credential chain. Point them
 * at it with {@code IDENTITY_ENDPOINT=http://HOST:PORT/msi/token} and {@code IDENTITY_HEADER=<secret>}.
 */
final class TokenService implements HttpService {
    static final String PATH = "/msi/token";
    private static final Set<String> AUDIENCES = Set.of("https://dynamicsessions.io", "https://acasessions.io");
    private static final long LIFETIME_SECONDS = 24 * 3600;
    private final byte[] secret;
    private final String token;

    TokenService(String secret, String token) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.token = token;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::token);
    }

    private void token(ServerRequest req, ServerResponse res) {
        byte[] presented = req.headers().first(HeaderNames.create("X-IDENTITY-HEADER")).orElse("")
                .getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(presented, secret)) {
            throw new ApiException(Status.UNAUTHORIZED_401, "Unauthorized", "X-IDENTITY-HEADER is missing or wrong");
        }
        String resource = Optional.ofNullable(QueryParams.first(req.query().rawValue(), "resource")
                .orElse(QueryParams.first(req.query().rawValue(), "scope").orElse(null))).orElse("");
        String audience = resource.replaceFirst("/\\.default$", "").replaceFirst("/$", "");
        if (!AUDIENCES.contains(audience)) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidResource",
                    "tokens are issued for https://dynamicsessions.io or https://acasessions.io only (got '" + resource + "')");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("expires_on", Long.toString(Instant.now().getEpochSecond() + LIFETIME_SECONDS));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        Responses.json(res, Status.OK_200, body);
    }
}
