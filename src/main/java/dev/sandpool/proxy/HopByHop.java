package dev.sandpool.proxy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, so a proxy consumes them
 * instead of forwarding them, in both directions. Besides the fixed list, every field named in
 * {@code Connection} is hop-by-hop for that message.
 */
final class HopByHop {
    static final Set<String> FIXED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /**
     * The fields hop-by-hop for one message, given its {@code Connection} (and the legacy
     * {@code Proxy-Connection}) values.
     */
    static HopByHop of(Iterable<String> connectionValues) {
        Set<String> named = new HashSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    named.add(t);
                }
            }
        }
        return new HopByHop(named);
    }

    boolean isHopByHop(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return FIXED.contains(lower) || named.contains(lower);
    }

    /** Whether {@code token} (lower case) is one of the message's {@code Connection} options. */
    boolean names(String token) {
        return named.contains(token);
    }
}
