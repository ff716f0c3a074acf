package dev.sandpool.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A parsed Prometheus text exposition: sample values by metric name and labels, in any label order. */
final class Scrape {
    final String text;
    private final Map<String, Double> samples = new HashMap<>();

    Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split(",(?=[a-zA-Z_]+=\")")) {
                    if (!pair.isEmpty()) {
                        int eq = pair.indexOf('=');
                        labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            samples.put(key(name, labels), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** The sample named {@code name} with exactly these labels, given as name, value, name, value... */
    Optional<Double> value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return Optional.ofNullable(samples.get(key(name, wanted)));
    }

    double valueOrZero(String name, String... labels) {
        return value(name, labels).orElse(0.0);
    }

    boolean hasMetricStartingWith(String prefix) {
        return samples.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }
}
