package dev.sandpool.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Request latencies by kind, for a printed summary only: nothing is asserted on them. */
final class Latencies {
    private final Map<String, ConcurrentLinkedQueue<Long>> byKind = new ConcurrentHashMap<>();

    void record(String kind, long nanos) {
        byKind.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(nanos);
    }

    long count() {
        return byKind.values().stream().mapToLong(ConcurrentLinkedQueue::size).sum();
    }

    /** One line per kind: count, p50, p90, p99 and max in milliseconds. */
    String summary() {
        StringBuilder out = new StringBuilder();
        byKind.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<Long> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            out.append(String.format("  %-9s n=%-6d p50=%7.1f ms  p90=%7.1f ms  p99=%7.1f ms  max=%7.1f ms%n", e.getKey(),
                    sorted.size(), millis(sorted, 0.50), millis(sorted, 0.90), millis(sorted, 0.99), millis(sorted, 1.0)));
        });
        return out.toString();
    }

    private static double millis(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}
