package dev.sandpool.proxy;

import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * How one request is forwarded.
 *
 * @param connectTimeout  how long the dialer may take to connect; past it the answer is 504
 * @param responseTimeout how long the backend may take to start its answer (its status line), counted
 *                        from the end of the request body, so that a slow upload is not mistaken for
 *                        a slow backend; past it the answer is 504
 * @param forwardedProto  {@code X-Forwarded-Proto} ({@code http} or {@code https}), or null for none
 * @param forwardedHost   {@code X-Forwarded-Host} (the host the client asked for), or null for none
 * @param forwardedFor    the client's address, appended to {@code X-Forwarded-For}, or null for none
 */
public record ProxyOptions(Duration connectTimeout, Duration responseTimeout, String forwardedProto,
                           String forwardedHost, String forwardedFor) {
    public ProxyOptions {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(responseTimeout, "responseTimeout");
        HeaderText.requireValue(forwardedProto);
        HeaderText.requireValue(forwardedHost);
        HeaderText.requireValue(forwardedFor);
    }

    /** The forwarding values of a request as this server received it. */
    public static ProxyOptions of(ServerRequest req, Duration connectTimeout, Duration responseTimeout) {
        String host = req.headers().first(io.helidon.http.HeaderNames.HOST).orElse(null);
        return new ProxyOptions(connectTimeout, responseTimeout, req.isSecure() ? "https" : "http", host,
                req.remotePeer().host());
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
