package dev.sandpool.config;

import java.util.regex.Pattern;

/** Checks domain names of an egress allow-list: {@code example.com}, or {@code *.example.com} for every name below it. */
public final class DomainPattern {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private DomainPattern() {}

    public static boolean isValid(String text) {
        String name = text.startsWith("*.") ? text.substring(2) : text;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // all digits and dots is an address, not a name; Cidr decides on those
        return !name.matches("[0-9.]+");
    }
}
