package dev.sandpool.config;

import java.util.regex.Pattern;

/** Checks address ranges as nftables takes them: an IPv4 or IPv6 address, optionally with a prefix length. */
public final class Cidr {
    private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/(\\d{1,2}))?");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:]+(/(\\d{1,3}))?");

    private Cidr() {}

    public static boolean isValid(String text) {
        var v4 = V4.matcher(text);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return v4.group(6) == null || Integer.parseInt(v4.group(6)) <= 32;
        }
        var v6 = V6.matcher(text);
        if (!v6.matches() || !text.contains(":")) {
            return false;
        }
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        try {
            // a literal never triggers a lookup; the pattern above keeps names out
            return java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address
                    && (v6.group(2) == null || Integer.parseInt(v6.group(2)) <= 128);
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
