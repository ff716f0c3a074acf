package dev.sandpool.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/** Named API keys, each with a role. Every key is compared in constant time, whichever matches. */
public final class ApiKeys implements Authenticator {
    public record Key(String name, Role role, String secret) {}

    private final List<Key> keys;

    public ApiKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        Principal found = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(presented, key.secret().getBytes(StandardCharsets.UTF_8)) && found == null) {
                found = new Principal(key.name(), key.role(), "key:" + key.name());
            }
        }
        return Optional.ofNullable(found);
    }
}
