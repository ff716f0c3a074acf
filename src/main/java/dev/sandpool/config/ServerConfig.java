package dev.sandpool.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the server listens, over what, and where it keeps its state. */
public record ServerConfig(String host, Integer port, Path dataDir, TlsConfig tls, ConnectionTimeouts timeouts) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/sandpool");

    public ServerConfig {
        host = Objects.requireNonNullElse(host, DEFAULT_HOST);
        port = Objects.requireNonNullElse(port, DEFAULT_PORT);
        dataDir = Objects.requireNonNullElse(dataDir, DEFAULT_DATA_DIR).toAbsolutePath().normalize();
        tls = Objects.requireNonNullElse(tls, TlsConfig.disabled());
        timeouts = Objects.requireNonNullElse(timeouts, ConnectionTimeouts.defaults());
    }

    public ServerConfig(String host, Integer port, Path dataDir, TlsConfig tls) {
        this(host, port, dataDir, tls, null);
    }

    /** Plain HTTP. */
    public ServerConfig(String host, Integer port, Path dataDir) {
        this(host, port, dataDir, null, null);
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null);
    }

    public ServerConfig withTls(TlsConfig newTls) {
        return new ServerConfig(host, port, dataDir, newTls, timeouts);
    }

    public ServerConfig withTimeouts(ConnectionTimeouts newTimeouts) {
        return new ServerConfig(host, port, dataDir, tls, newTimeouts);
    }

    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    void validate(Validation v) {
        if (port < 0 || port > 65_535) {
            v.fail("server.port", "must be between 0 and 65535 (got " + port + ")");
        }
        tls.validate(v);
        timeouts.validate(v);
    }
}
