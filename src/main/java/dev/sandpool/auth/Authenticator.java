package dev.sandpool.auth;

import java.util.Optional;

/** Turns a bearer token into a principal; empty means the token is not valid here. */
public interface Authenticator {
    Optional<Principal> authenticate(String bearerToken);

    /** When authentication is off (loopback only), everyone is an anonymous admin. */
    Authenticator NONE = token -> Optional.of(Principal.ANONYMOUS);
}
