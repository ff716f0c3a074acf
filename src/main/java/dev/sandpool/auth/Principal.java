package dev.sandpool.auth;

/**
 * Who made a request: an API key's name or a token's subject, and its role. {@code owner()} is
 * what sessions are bound to; it is a hash for token subjects, so that no subject ends up in
 * a session key or a log.
 */
public record Principal(String name, Role role, String owner) {
    public static final Principal ANONYMOUS = new Principal("anonymous", Role.ADMIN, "anonymous");
}
