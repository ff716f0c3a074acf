package dev.sandpool.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a pool's sandboxes are isolated: {@code namespaces} (bubblewrap: Linux namespaces, seccomp,
 * cgroups, one host uid each) or {@code gvisor} (gVisor's runsc: a user-space kernel between the
 * session and the host's).
 */
public enum Isolation {
    NAMESPACES, GVISOR;

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The isolation named {@code text}, ignoring case; empty for anything else. */
    public static Optional<Isolation> parse(String text) {
        return Arrays.stream(values()).filter(i -> i.key().equalsIgnoreCase(text)).findFirst();
    }

    @JsonCreator
    static Isolation fromKey(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException(
                "isolation must be namespaces or gvisor (got '" + text + "')"));
    }
}
