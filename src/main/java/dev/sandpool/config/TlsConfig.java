package dev.sandpool.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * HTTPS for the server. With {@code certificate} and {@code privateKey} (PEM files) the server uses
 * them; with neither it generates a self-signed certificate into {@code <dataDir>/tls/} once and
 * reuses it, because some clients (Semantic Kernel Python) accept only {@code https} endpoints.
 */
public record TlsConfig(Boolean enabled, Path certificate, Path privateKey) {
    public TlsConfig {
        enabled = Objects.requireNonNullElse(enabled, false);
        certificate = absolute(certificate);
        privateKey = absolute(privateKey);
    }

    public static TlsConfig disabled() {
        return new TlsConfig(false, null, null);
    }

    public static TlsConfig selfSigned() {
        return new TlsConfig(true, null, null);
    }

    /** On, without files of the user's: the server makes and keeps its own certificate. */
    public boolean isSelfSigned() {
        return enabled && certificate == null && privateKey == null;
    }

    // `certificate: ""` means none; as a path it would silently become the working directory.
    private static Path absolute(Path file) {
        return file == null || file.toString().isEmpty() ? null : file.toAbsolutePath().normalize();
    }

    void validate(Validation v) {
        // A lone file is a mistake whether TLS is on or not: the other half was forgotten, and
        // silently falling back to a self-signed certificate would hide it.
        if (certificate != null && privateKey == null) {
            v.fail("server.tls.privateKey", "is required when server.tls.certificate is set"
                    + " (or leave out both to generate a self-signed certificate)");
        }
        if (privateKey != null && certificate == null) {
            v.fail("server.tls.certificate", "is required when server.tls.privateKey is set"
                    + " (or leave out both to generate a self-signed certificate)");
        }
        if (enabled) {
            requireReadable("server.tls.certificate", certificate, v);
            requireReadable("server.tls.privateKey", privateKey, v);
        }
    }

    // Checked here rather than at start-up so that `sandpool serve` reports it with the other
    // config errors instead of failing after the pools have started.
    private static void requireReadable(String key, Path file, Validation v) {
        if (file == null) {
            return;
        }
        if (!Files.isRegularFile(file)) {
            v.fail(key, "no such file: " + file);
        } else if (!Files.isReadable(file)) {
            v.fail(key, "cannot read " + file);
        }
    }
}
