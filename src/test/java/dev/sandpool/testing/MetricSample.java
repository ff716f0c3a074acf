package dev.sandpool.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One sample read from the server's {@code /metrics}, as a scraper would. */
public final class MetricSample {
    private MetricSample() {}

    /** The value of {@code name{labels}} (labels as the server writes them, e.g. {@code pool="p"}); 0 when absent. */
    public static double value(AzureClient client, String name, String labels) {
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " ([0-9.eE+-]+)$");
        Matcher m = line.matcher(client.send("GET", "/metrics", null).body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
