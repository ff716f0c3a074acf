package dev.sandpool.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.sandpool.config.JwtConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs, as Entra ID issues them for Azure's data plane: signature from the JWKS (fetched and
 * cached by nimbus), issuer, one of the accepted audiences, expiry and not-before. The role comes
 * from a configurable claim; a token with no recognised role is refused unless a default is set.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.EdDSA);
    private final JwtConfig config;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public JwtAuthenticator(JwtConfig config) throws IOException {
        this.config = config;
        JWKSource<SecurityContext> keys;
        try {
            keys = config.jwksFile() != null
                    ? new ImmutableJWKSet<>(JWKSet.load(config.jwksFile().toFile()))
                    : JWKSourceBuilder.create(URI.create(config.jwksUrl()).toURL()).retrying(true).build();
        } catch (ParseException e) {
            throw new IOException("auth.jwt.jwksFile is not a JWK set: " + e.getMessage(), e);
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(new HashSet<>(config.audiences()),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(), Set.of("exp", config.subjectClaim()), Set.of()));
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (Exception e) {
            LOG.debug("token refused: {}", e.getMessage());
            return Optional.empty();
        }
        Optional<Role> role = role(claims);
        if (role.isEmpty()) {
            return Optional.empty();
        }
        String subject = String.valueOf(claims.getClaim(config.subjectClaim()));
        return Optional.of(new Principal("jwt", role.get(), "jwt:" + hash(subject)));
    }

    private Optional<Role> role(JWTClaimsSet claims) {
        Object claim = claims.getClaim(config.roleClaim());
        List<String> values = claim instanceof List<?> list ? list.stream().map(String::valueOf).toList()
                : claim == null ? List.of() : List.of(String.valueOf(claim));
        if (values.contains(config.adminRoleValue())) {
            return Optional.of(Role.ADMIN);
        }
        if (values.contains(config.executorRoleValue())) {
            return Optional.of(Role.EXECUTOR);
        }
        return switch (config.defaultRole()) {
            case "admin" -> Optional.of(Role.ADMIN);
            case "executor" -> Optional.of(Role.EXECUTOR);
            default -> Optional.empty();
        };
    }

    private static String hash(String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
