package dev.sandpool.sandbox;

import java.util.List;

/**
 * Outbound networking for a sandbox. Private, link-local, carrier-grade NAT and cloud-metadata
 * ranges and the host's own addresses are always refused. When {@code cidrs} or {@code domains}
 * is not empty, the only public destinations are those ranges and the addresses that names
 * matching {@code domains} resolve to ({@code example.com}, or {@code *.example.com} for every
 * name below it).
 */
public record Egress(List<String> cidrs, List<String> domains) {
    public Egress {
        cidrs = List.copyOf(cidrs);
        domains = domains.stream().map(d -> d.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    public static Egress open() {
        return new Egress(List.of(), List.of());
    }
}
