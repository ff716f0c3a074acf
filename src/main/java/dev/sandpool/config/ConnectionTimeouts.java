package dev.sandpool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the server waits for a slow or silent client before closing its connection, so that a
 * client dribbling bytes cannot hold a connection forever. Values are ISO-8601 durations
 * ({@code PT30S}) or seconds.
 *
 * @param idle    a connection with no request in progress (waiting for, or receiving, a request line), or a
 *                proxied WebSocket tunnel that carries nothing
 * @param header  from the end of the request line to the end of the header block
 * @param bodyRead the longest pause while the server waits for more of a request body
 */
public record ConnectionTimeouts(Duration idle, Duration header, Duration bodyRead) {
    /** Helidon's own default: it also ends WebSocket tunnels that carry nothing for this long. */
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_HEADER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_BODY_READ = Duration.ofSeconds(60);

    public ConnectionTimeouts {
        idle = Objects.requireNonNullElse(idle, DEFAULT_IDLE);
        header = Objects.requireNonNullElse(header, DEFAULT_HEADER);
        bodyRead = Objects.requireNonNullElse(bodyRead, DEFAULT_BODY_READ);
    }

    public static ConnectionTimeouts defaults() {
        return new ConnectionTimeouts(null, null, null);
    }

    void validate(Validation v) {
        check(v, "idle", idle);
        check(v, "header", header);
        check(v, "bodyRead", bodyRead);
    }

    private static void check(Validation v, String key, Duration value) {
        if (value.toMillis() < 1) {
            v.fail("server.timeouts." + key, "must be positive (got " + value + ")");
        }
    }
}
