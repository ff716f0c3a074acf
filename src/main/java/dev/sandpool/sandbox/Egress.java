package dev.sandpool.sandbox;

import java.util.List;

/**
 * Outbound networking for a sandbox. Private, link-local, carrier-grade NAT and cloud-metadata
 * ranges and the host's own addresses are always refused; {@code allowed}, when not empty, is the
 * only public destinations (CIDRs) the sandbox may reach.
 */
public record Egress(List<String> allowed) {
    public Egress {
        allowed = List.copyOf(allowed);
    }

    public static Egress open() {
        return new Egress(List.of());
    }
}
