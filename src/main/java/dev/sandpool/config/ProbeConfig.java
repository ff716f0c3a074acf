package dev.sandpool.config;

import java.util.List;
import java.util.Objects;

/**
 * A container's startup or liveness probe, with Azure's fields and ranges (Kubernetes semantics):
 * an HTTP GET whose status must be 200-399, or a TCP connect, to a port inside the session.
 * The probe always reaches the session's own loopback: {@code host} only names the Host header,
 * since a session has no address anyone else could probe.
 */
public record ProbeConfig(Type type, HttpGet httpGet, TcpSocket tcpSocket, Integer initialDelaySeconds,
                          Integer periodSeconds, Integer timeoutSeconds, Integer failureThreshold,
                          Integer successThreshold, Integer terminationGracePeriodSeconds) {
    public enum Type { Liveness, Startup }

    public enum Scheme { HTTP, HTTPS }

    public record Header(String name, String value) {}

    public record HttpGet(String path, Integer port, String host, Scheme scheme, List<Header> httpHeaders) {
        public HttpGet {
            path = Objects.requireNonNullElse(path, "/");
            scheme = Objects.requireNonNullElse(scheme, Scheme.HTTP);
            httpHeaders = List.copyOf(Objects.requireNonNullElse(httpHeaders, List.of()));
        }
    }

    public record TcpSocket(String host, Integer port) {}

    public ProbeConfig {
        // Kubernetes' defaults, raised to Azure's minimum where Azure's range starts higher
        initialDelaySeconds = Objects.requireNonNullElse(initialDelaySeconds, 1);
        periodSeconds = Objects.requireNonNullElse(periodSeconds, 10);
        timeoutSeconds = Objects.requireNonNullElse(timeoutSeconds, 1);
        failureThreshold = Objects.requireNonNullElse(failureThreshold, 3);
        successThreshold = Objects.requireNonNullElse(successThreshold, 1);
    }

    /** The port probed: the one named, or the container's target port. */
    public int port(int targetPort) {
        Integer named = httpGet != null ? httpGet.port() : tcpSocket != null ? tcpSocket.port() : null;
        return named != null ? named : targetPort;
    }

    void validate(String where, Validation v) {
        if (type == null) {
            v.fail(where + ".type", "must be Liveness or Startup");
        }
        if ((httpGet == null) == (tcpSocket == null)) {
            v.fail(where, "needs exactly one of httpGet and tcpSocket");
        }
        Integer port = httpGet != null ? httpGet.port() : tcpSocket != null ? tcpSocket.port() : null;
        if (port != null && (port < 1 || port > 65_535)) {
            v.fail(where + (httpGet != null ? ".httpGet" : ".tcpSocket") + ".port", "must be between 1 and 65535 (got " + port + ")");
        }
        if (httpGet != null) {
            if (!httpGet.path().startsWith("/") || httpGet.path().chars().anyMatch(c -> c <= ' ' || c == 127)) {
                v.fail(where + ".httpGet.path", "must start with '/' and hold no spaces or control characters");
            }
            for (Header h : httpGet.httpHeaders()) {
                if (h.name() == null || !h.name().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")
                        || h.value() == null || h.value().chars().anyMatch(c -> c < ' ' && c != '\t' || c == 127)) {
                    v.fail(where + ".httpGet.httpHeaders", "'" + h.name() + "' is not a valid header with a value");
                }
            }
        }
        range(v, where + ".initialDelaySeconds", initialDelaySeconds, 1, 60);
        range(v, where + ".periodSeconds", periodSeconds, 1, 240);
        range(v, where + ".timeoutSeconds", timeoutSeconds, 1, 240);
        range(v, where + ".failureThreshold", failureThreshold, 1, 10);
        range(v, where + ".successThreshold", successThreshold, 1, 1);
        if (terminationGracePeriodSeconds != null) {
            range(v, where + ".terminationGracePeriodSeconds", terminationGracePeriodSeconds, 0, 3600);
        }
    }

    static void range(Validation v, String key, int value, int min, int max) {
        if (value < min || value > max) {
            v.fail(key, "must be between " + min + " and " + max + " (got " + value + ")");
        }
    }
}
