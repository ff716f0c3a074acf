package dev.sandpool.cli;

import dev.sandpool.config.ConfigException;
import dev.sandpool.config.ConfigLoader;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.server.SandpoolServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sandpool serve}: runs the server until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the server. Without --config: one PythonLTS pool named 'default' on 127.0.0.1:8080.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file")
    Path config;

    @Option(names = "--port", description = "port to listen on (overrides the config file; 0 picks a free one)")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where sessions and state live (overrides the config file)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        SandpoolConfig cfg;
        try {
            cfg = effectiveConfig();
            cfg.validated();
        } catch (ConfigException e) {
            System.err.println("sandpool: invalid configuration\n" + e.getMessage());
            return 2;
        }
        SandpoolServer server;
        try {
            server = SandpoolServer.start(cfg);
        } catch (ConfigException e) {
            System.err.println("sandpool: invalid configuration\n" + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stopKeepingSessions();
            stopped.countDown();
        }, "shutdown"));
        printWelcome(server, System.out);
        stopped.await();
        return 0;
    }

    SandpoolConfig effectiveConfig() {
        SandpoolConfig cfg = config == null ? SandpoolConfig.defaults() : ConfigLoader.parse(readConfig());
        ServerConfig s = cfg.server();
        return cfg.withServer(new ServerConfig(s.host(), port != null ? port : s.port(),
                dataDir != null ? dataDir : s.dataDir(), s.tls(), s.timeouts()));
    }

    private String readConfig() {
        try {
            return java.nio.file.Files.readString(config);
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read config file " + config + ": " + e.getMessage(), e);
        }
    }

    static void printWelcome(SandpoolServer server, PrintStream out) {
        out.println("Sandpool is serving on " + server.baseUrl());
        for (var pool : server.pools().pools()) {
            out.println("  pool '" + pool.name() + "' (" + pool.config().containerType() + "): "
                    + server.poolEndpoint(pool.name()));
        }
        String cacert = "";
        if (server.config().server().tls().isSelfSigned()) {
            Path pem = dev.sandpool.server.TlsSetup.selfSignedCertificate(server.config().server().dataDir());
            out.println("TLS certificate (self-signed, clients must trust it): " + pem);
            out.println("  curl --cacert " + pem + "; Python: SSL_CERT_FILE=" + pem + " (requests: REQUESTS_CA_BUNDLE)");
            cacert = " --cacert " + pem;
        }
        String auth = server.apiKey().map(k -> " \\\n    -H 'Authorization: Bearer " + k.key() + "'").orElse("");
        server.apiKey().ifPresent(k -> out.println("API key" + (k.generated() ? " (generated)" : "") + ": "
                + k.key() + "  (stored in " + k.file() + ")"));
        server.identitySecret().ifPresent(secret -> out.println("Managed-identity endpoint for Azure credential chains: "
                + "IDENTITY_ENDPOINT=" + server.baseUrl() + "/msi/token IDENTITY_HEADER=" + secret.value()));
        if (server.pools().pools().isEmpty()) {
            out.println("No pools are configured: add some under 'pools:' in the config file.");
            out.flush();
            return;
        }
        String first = server.pools().pools().iterator().next().name();
        out.println();
        out.println("Try it:");
        out.println("  curl -s" + cacert + " -X POST '" + server.poolEndpoint(first)
                + "/code/execute?identifier=my-session-1&api-version=2024-02-02-preview'" + auth + " \\\n"
                + "    -H 'Content-Type: application/json' \\\n"
                + "    -d '{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\","
                + "\"code\":\"print(\\\"hello\\\")\\n1+1\"}}'");
        out.flush();
    }
}
