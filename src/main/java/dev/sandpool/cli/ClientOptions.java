package dev.sandpool.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/** The options every client command takes: which server, which key, which output. */
final class ClientOptions {
    static final String ENV_KEY = "SANDPOOL_API_KEY";
    static final Path KEY_FILE = Path.of("/var/lib/sandpool/api-key");

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:SANDPOOL_SERVER:-http://127.0.0.1:8080}",
            description = "server base URL (default: $SANDPOOL_SERVER, else http://127.0.0.1:8080)")
    String server;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key (default: $" + ENV_KEY
            + ", else /var/lib/sandpool/api-key when --server is on this host)")
    String apiKey;

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM certificate(s) to trust for an https server, "
            + "e.g. the self-signed one the server prints at start")
    Path cacert;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "json",
            description = "json (default) or table")
    Output.Format output;

    ApiClient client() {
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--server: not a URL: " + server);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw CliException.usage("--server must be an http:// or https:// URL (got '" + server + "')");
        }
        return new ApiClient(server, key(uri), tls());
    }

    /**
     * {@code --api-key}, then the environment, then the key file the server writes, but that file
     * only for a server on this host: sending a local key to a remote server would give it away.
     */
    private Optional<String> key(URI uri) {
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.strip());
        }
        String env = System.getenv(ENV_KEY);
        if (env != null && !env.isBlank()) {
            return Optional.of(env.strip());
        }
        if (isLoopback(uri.getHost()) && Files.isReadable(KEY_FILE)) {
            try {
                return Optional.of(Files.readString(KEY_FILE, StandardCharsets.UTF_8).strip()).filter(k -> !k.isEmpty());
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** Trusts exactly the certificates in {@code --cacert} (as curl does), or the JDK's defaults without it. */
    private Optional<SSLContext> tls() {
        if (cacert == null) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(cacert)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw CliException.usage("--cacert " + cacert + ": no PEM certificate in it");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw CliException.usage("--cacert " + cacert + ": cannot read it as PEM certificates (" + e.getMessage() + ")");
        }
    }
}
