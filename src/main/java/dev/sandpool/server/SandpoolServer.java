package dev.sandpool.server;

import dev.sandpool.auth.ApiKeyFile;
import dev.sandpool.auth.AuthSetup;
import dev.sandpool.auth.Authenticator;
import dev.sandpool.auth.SecretFile;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.interpreter.DriverFiles;
import dev.sandpool.interpreter.Interpreter;
import dev.sandpool.interpreter.InterpreterLauncher;
import dev.sandpool.pool.PoolFactory;
import dev.sandpool.pool.PoolManager;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.sandbox.IsolatingRuntime;
import dev.sandpool.sandbox.CgroupDriver;
import dev.sandpool.sandbox.ResourceLimits;
import dev.sandpool.sandbox.SandboxRuntime;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import dev.sandpool.store.Database;
import dev.sandpool.store.PoolStore;
import dev.sandpool.store.SessionRegistry;
import dev.sandpool.pool.SessionBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the sandbox runtime, the pools and the HTTP server from a config,
 * and tears them down in reverse order.
 */
public final class SandpoolServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandpoolServer.class);
    static final int MAX_REQUEST_LINE = 16 * 1024;
    private final SandpoolConfig config;
    private final SandboxRuntime runtime;
    private final Database database;
    private final PoolManager pools;
    private final Optional<ApiKeyFile.Loaded> apiKey;
    private final Optional<SecretFile.Loaded> identitySecret;
    private final WebServer web;
    private final Draining draining;
    private final SlowClients slowClients;

    private SandpoolServer(SandpoolConfig config, SandboxRuntime runtime, Database database, PoolManager pools,
                           Optional<ApiKeyFile.Loaded> apiKey, Optional<SecretFile.Loaded> identitySecret, WebServer web,
                           Draining draining, SlowClients slowClients) {
        this.draining = draining;
        this.slowClients = slowClients;
        this.config = config;
        this.runtime = runtime;
        this.database = database;
        this.pools = pools;
        this.apiKey = apiKey;
        this.identitySecret = identitySecret;
        this.web = web;
    }

    public static SandpoolServer start(SandpoolConfig config) throws IOException {
        config.validated();
        Path dataDir = config.server().dataDir();
        Files.createDirectories(dataDir);
        CgroupDriver cgroups = CgroupDriver.detect(Path.of("/sys/fs/cgroup"), config.sandbox().cgroupParent());
        IsolatingRuntime runtime = new IsolatingRuntime(dataDir, config.sandbox(), cgroups,
                config.files().sessionQuota().bytes());
        DriverFiles.Installed drivers = DriverFiles.install(dataDir.resolve("runtime"));
        PoolFactory factory = new PoolFactory(runtime, drivers, config,
                new dev.sandpool.image.ImageStore(dataDir.resolve("images")));
        Database database = Database.open(dataDir);
        PoolStore store = new PoolStore(database);
        Set<String> fromConfigFile = config.pools().stream().map(PoolConfig::name).collect(Collectors.toSet());
        List<PoolConfig> all = new ArrayList<>(config.pools());
        for (PoolConfig stored : store.all()) {
            if (fromConfigFile.contains(stored.name())) {
                LOG.warn("pool {} is defined in the config file and was also created through the API; the config file wins",
                        stored.name());
            } else {
                all.add(stored);
            }
        }
        SessionRegistry registry = new SessionRegistry(database);
        SessionBook book = new RegistryBook(registry);
        // before any pool exists, so that the first sandbox starts are counted
        var observability = new dev.sandpool.observability.Observability();
        factory.observe(observability.listener(), book);
        List<SessionPool> pools = all.stream().map(factory::create).toList();
        runtime.cleanupLeftovers(adoptSessions(registry, pools, factory, runtime));
        PoolManager manager = new PoolManager(pools).start();
        observability.watch(manager);
        ManagementService management = new ManagementService(manager, factory, store, fromConfigFile,
                dataDir.resolve("secrets"));
        AuthSetup auth = AuthSetup.of(config.auth(), dataDir);
        Optional<ApiKeyFile.Loaded> apiKey = auth.generatedKey();
        try {
            var identity = config.auth().managedIdentity();
            Optional<SecretFile.Loaded> identitySecret = !identity.enabled() ? Optional.empty()
                    : identity.secret().isEmpty() ? Optional.of(SecretFile.loadOrCreate(dataDir, "identity-header", "sih_"))
                    : Optional.of(new SecretFile.Loaded(identity.secret(), false, null));
            Optional<TokenService> tokens = identitySecret.map(s -> new TokenService(s.value(),
                    auth.identityToken().orElseThrow()));
            Draining draining = new Draining();
            SlowClients slowClients = new SlowClients(config.server().timeouts());
            var builder = WebServer.builder()
                    .host(config.server().host())
                    .port(config.server().port())
                    .tls(TlsSetup.forServer(config.server()))
                    // lets WebSocket upgrades reach a custom container's server
                    .addConnectionSelector(dev.sandpool.proxy.UpgradePassThrough.http1Selector(
                            io.helidon.webserver.http1.Http1Config.builder()
                                    // room for the longest legal file path (4096 characters), percent-encoded
                                    .maxPrologueLength(MAX_REQUEST_LINE)
                                    .addReceiveListener(slowClients.headerDeadline()).build()))
                    .directHandlers(ProtocolErrors.handlers())
                    .shutdownHook(false);
            slowClients.idleTimeout(builder);
            WebServer web = builder
                    .routing(r -> {
                        r.addFilter(draining);
                        r.addFilter(slowClients.guardedBodies());
                        tokens.ifPresent(r::register);
                        routing(r, manager, management, auth.authenticator(), config, observability);
                    })
                    .build()
                    .start();
            return new SandpoolServer(config, runtime, database, manager, apiKey, identitySecret, web, draining,
                    slowClients);
        } catch (RuntimeException e) {
            manager.close();
            database.close();
            throw e;
        }
    }

    /**
     * Re-adopts the sessions the registry lists: a live sandbox gets a new driver connection and
     * waits in its pool for its identifier; a dead one is cleaned up and forgotten. Returns the
     * handles of the sandboxes kept, which the leftover clean-up must spare.
     */
    private static Set<dev.sandpool.sandbox.SandboxHandle> adoptSessions(SessionRegistry registry,
            List<SessionPool> pools, PoolFactory factory, SandboxRuntime runtime) {
        Set<dev.sandpool.sandbox.SandboxHandle> kept = new java.util.HashSet<>();
        for (SessionRegistry.Entry entry : registry.all()) {
            Optional<SessionPool> pool = pools.stream().filter(p -> p.name().equals(entry.pool())).findFirst();
            Optional<dev.sandpool.interpreter.Interpreter> interpreter = pool.flatMap(p -> factory.adopt(p.config(), entry.sandbox()));
            if (interpreter.isPresent()) {
                pool.get().adopt(entry.identifierHash(), interpreter.get(), entry.createdAt());
                kept.add(entry.sandbox());
            } else {
                LOG.info("session sandbox {} of pool {} did not survive; cleaning it up", entry.sandbox().id(), entry.pool());
                runtime.destroy(entry.sandbox());
                registry.remove(entry.pool(), entry.identifierHash());
            }
        }
        if (!kept.isEmpty()) {
            LOG.info("re-adopted {} sessions", kept.size());
        }
        return kept;
    }

    /** The whole HTTP surface; shared by {@code main} and by tests. */
    static void routing(HttpRouting.Builder routing, PoolManager pools, ManagementService management,
                        Authenticator authenticator, SandpoolConfig config,
                        dev.sandpool.observability.Observability observability) {
        PoolRequests requests = new PoolRequests(pools, config.auth().identifierBinding());
        ContainerProxy containers = new ContainerProxy(requests);
        ExecutionConfig limits = config.execution();
        routing.addFilter(observability.requestLog(PathAliases::canonical))
                .addFilter(new AuthFilter(authenticator))
                .any(new PathAliases())
                .register(new HealthService(observability.readiness()))
                .get(dev.sandpool.observability.Observability.METRICS_PATH, observability.metricsEndpoint())
                .register("/management/pools", management)
                .any("/pools/{pool}", containers)
                .any("/pools/{pool}/{+rest}", containers)
                .register("/pools/{pool}", new CodeExecuteService(requests, limits),
                        new ExecutionsService(requests, limits), new SessionService(requests, new PoolMetadata()),
                        new FilesService(requests, config.files()))
                .any((req, res) -> Responses.error(res, Status.NOT_FOUND_404, "NotFound",
                        "no route for " + req.prologue().method().text() + " " + req.path().rawPath()));
        ErrorMapping.register(routing);
    }

    public int port() {
        return web.port();
    }

    public String baseUrl() {
        String host = config.server().host();
        String scheme = config.server().tls().enabled() ? "https://" : "http://";
        return scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public String poolEndpoint(String pool) {
        return baseUrl() + "/pools/" + pool;
    }

    public Optional<ApiKeyFile.Loaded> apiKey() {
        return apiKey;
    }

    /** The managed-identity endpoint's secret, when the endpoint is on. */
    public Optional<SecretFile.Loaded> identitySecret() {
        return identitySecret;
    }

    public PoolManager pools() {
        return pools;
    }

    public SandpoolConfig config() {
        return config;
    }

    /**
     * What SIGTERM does: new requests get 503, executions in flight finish (up to the longest
     * allowed timeout plus its grace), and the server exits leaving every allocated session
     * running and registered, for the next start to adopt.
     */
    public void stopKeepingSessions() {
        long bound = (config.execution().maxTimeoutInSeconds() + config.execution().interruptGraceInSeconds() + 5) * 1000L;
        if (!draining.drain(bound)) {
            LOG.warn("stopping with requests still in flight");
        }
        web.stop();
        slowClients.close();
        pools.detach();
        database.close();
        runtime.close();
    }

    /** Stops the server and ends every session: for tests and embedding, not for restarts. */
    @Override
    public void close() {
        web.stop();
        slowClients.close();
        pools.close();
        database.close();
        // a sandbox still starting when its pool closed is in no cgroup yet: the uid sweep finds it
        runtime.cleanupLeftovers();
        runtime.close();
    }
}
