package dev.sandpool.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Bearer JWTs: signatures checked against a JWKS (URL or file), {@code iss}, {@code aud} and
 * expiry checked. Roles come from {@code roleClaim} (a string or a list); a token whose claim
 * holds {@code adminRoleValue} is admin, one holding {@code executorRoleValue} or none is executor
 * when {@code defaultRole} says so.
 */
public record JwtConfig(String issuer, String jwksUrl, Path jwksFile, List<String> audiences, String roleClaim,
                        String subjectClaim, String adminRoleValue, String executorRoleValue, String defaultRole) {
    public static final List<String> DEFAULT_AUDIENCES = List.of("https://dynamicsessions.io", "https://acasessions.io");

    public JwtConfig {
        audiences = List.copyOf(Objects.requireNonNullElse(audiences, DEFAULT_AUDIENCES));
        roleClaim = Objects.requireNonNullElse(roleClaim, "roles");
        subjectClaim = Objects.requireNonNullElse(subjectClaim, "sub");
        adminRoleValue = Objects.requireNonNullElse(adminRoleValue, "admin");
        executorRoleValue = Objects.requireNonNullElse(executorRoleValue, "executor");
        defaultRole = Objects.requireNonNullElse(defaultRole, "none");
    }

    void validate(Validation v) {
        if (issuer == null || issuer.isBlank()) {
            v.fail("auth.jwt.issuer", "is required in jwt mode");
        }
        if ((jwksUrl == null) == (jwksFile == null)) {
            v.fail("auth.jwt", "give exactly one of jwksUrl and jwksFile");
        }
        if (audiences.isEmpty()) {
            v.fail("auth.jwt.audiences", "must name at least one audience");
        }
        if (!List.of("none", "executor", "admin").contains(defaultRole)) {
            v.fail("auth.jwt.defaultRole", "must be none, executor or admin (got " + defaultRole + ")");
        }
    }
}
