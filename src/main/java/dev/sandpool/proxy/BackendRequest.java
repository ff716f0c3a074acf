package dev.sandpool.proxy;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The request head sent to the backend: the client's method and the forwarded target, the client's
 * end-to-end fields, the proxy's forwarding fields, and framing chosen by the proxy.
 * <p>
 * Besides hop-by-hop fields this drops {@code Authorization}: it carries the caller's Sandpool
 * credential (API key or token), which would let code in the container act as the caller on this
 * server. {@code Expect} is dropped too: this server already answered {@code 100 Continue} to the
 * client when the body was first read, and the proxy streams the body right away without waiting for
 * the backend's own 100.
 */
final class BackendRequest {
    /** Never copied from the client: the proxy writes these itself, or (Authorization, Expect) not at all. */
    private static final Set<String> REWRITTEN = Set.of("host", "content-length", "authorization", "expect",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via");
    static final String VIA = "1.1 sandpool";

    /** How the request body is framed on the backend connection. */
    enum Framing { NONE, EMPTY, LENGTH, CHUNKED }

    private BackendRequest() {}

    /**
     * @param upgrade the protocol of a WebSocket upgrade passed through, or null for an ordinary request
     */
    static byte[] head(ServerRequest req, String target, ProxyOptions options, Framing framing, long length,
                       String upgrade) {
        List<String[]> fields = new ArrayList<>();
        List<String> connection = new ArrayList<>();
        connection.addAll(req.headers().all(HeaderNames.CONNECTION, List::of));
        connection.addAll(req.headers().all(HeaderNames.create("Proxy-Connection"), List::of));
        HopByHop hop = HopByHop.of(connection);
        String host = req.headers().first(HeaderNames.HOST).orElse(options.forwardedHost());
        fields.add(new String[] {"Host", host == null ? "localhost" : host});
        for (Header header : req.headers()) {
            String lower = header.name().toLowerCase(Locale.ROOT);
            if (hop.isHopByHop(lower) || REWRITTEN.contains(lower)) {
                continue;
            }
            for (String value : header.allValues()) {
                fields.add(new String[] {header.name(), value});
            }
        }
        forwarding(req, options, fields);
        switch (framing) {
            case EMPTY -> fields.add(new String[] {"Content-Length", "0"});
            case LENGTH -> fields.add(new String[] {"Content-Length", Long.toString(length)});
            case CHUNKED -> fields.add(new String[] {"Transfer-Encoding", "chunked"});
            case NONE -> { }
        }
        if (upgrade != null) {
            fields.add(new String[] {"Connection", "Upgrade"});
            fields.add(new String[] {"Upgrade", upgrade});
        } else {
            // one exchange per connection: the backend ends a read-until-close body by closing, and
            // nothing is left half-read on a connection to be reused
            fields.add(new String[] {"Connection", "close"});
        }
        return encode(req.prologue().method().text(), target, fields);
    }

    private static void forwarding(ServerRequest req, ProxyOptions options, List<String[]> fields) {
        if (options.forwardedFor() != null) {
            fields.add(new String[] {"X-Forwarded-For",
                    appended(req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of), options.forwardedFor())});
        }
        if (options.forwardedProto() != null) {
            fields.add(new String[] {"X-Forwarded-Proto", options.forwardedProto()});
        }
        if (options.forwardedHost() != null) {
            fields.add(new String[] {"X-Forwarded-Host", options.forwardedHost()});
        }
        List<String> element = new ArrayList<>();
        if (options.forwardedFor() != null) {
            element.add("for=" + forwardedNode(options.forwardedFor()));
        }
        if (options.forwardedHost() != null) {
            element.add("host=" + quoted(options.forwardedHost()));
        }
        if (options.forwardedProto() != null) {
            element.add("proto=" + options.forwardedProto());
        }
        if (!element.isEmpty()) {
            fields.add(new String[] {"Forwarded",
                    appended(req.headers().all(HeaderNames.FORWARDED, List::of), String.join(";", element))});
        }
        fields.add(new String[] {"Via", appended(req.headers().all(HeaderNames.VIA, List::of), VIA)});
    }

    private static String appended(List<String> existing, String value) {
        List<String> all = new ArrayList<>(existing);
        all.add(value);
        return String.join(", ", all);
    }

    /** RFC 7239 §6: an IPv6 address is bracketed and, having colons, quoted. */
    private static String forwardedNode(String address) {
        return address.indexOf(':') >= 0 ? quoted("[" + address + "]") : address;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] encode(String method, String target, List<String[]> fields) {
        HeaderText.requireToken(method);
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        write(out, method + " " + target + " HTTP/1.1\r\n");
        for (String[] field : fields) {
            write(out, HeaderText.requireToken(field[0]) + ": " + HeaderText.requireValue(field[1]) + "\r\n");
        }
        write(out, "\r\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        // ISO-8859-1 gives back the bytes Helidon read, obs-text included
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
