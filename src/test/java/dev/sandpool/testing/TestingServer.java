package dev.sandpool.testing;

import dev.sandpool.config.AuthConfig;
import dev.sandpool.config.AuthMode;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.config.ServerConfig;
import dev.sandpool.server.SandpoolServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Sandpool server for tests: port 0 on loopback, its own data directory, cgroup parent and
 * uid range, real sandboxes. {@link #close()} stops it and removes everything it made.
 */
public final class TestingServer implements AutoCloseable {
    public final SandpoolServer server;
    public final AzureClient client;
    private final Path dataDir;

    private TestingServer(SandpoolServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
        this.client = new AzureClient(server.baseUrl(), server.apiKey().map(k -> k.key()).orElse(null));
    }

    public static TestingServer start(PoolConfig... pools) throws IOException {
        return start(ExecutionConfig.defaults(), pools);
    }

    public static TestingServer start(ExecutionConfig execution, PoolConfig... pools) throws IOException {
        return start(execution, dev.sandpool.config.FilesConfig.defaults(), pools);
    }

    public static TestingServer start(ExecutionConfig execution, dev.sandpool.config.FilesConfig files, PoolConfig... pools)
            throws IOException {
        return start(TestingRuntime.newDataDir(), execution, files, pools);
    }

    /** With short connection timeouts, for slow-client tests. */
    public static TestingServer start(dev.sandpool.config.ConnectionTimeouts timeouts, ExecutionConfig execution,
                                      dev.sandpool.config.FilesConfig files, PoolConfig... pools) throws IOException {
        return start(TestingRuntime.newDataDir(), TestingRuntime.sandboxConfig(), timeouts, execution, files, pools);
    }

    /** A server on a data directory the test prepared (on a small filesystem, say); {@link #close()} deletes it. */
    public static TestingServer start(Path dataDir, ExecutionConfig execution, dev.sandpool.config.FilesConfig files,
                                      PoolConfig... pools) throws IOException {
        return start(dataDir, TestingRuntime.sandboxConfig(), dev.sandpool.config.ConnectionTimeouts.defaults(), execution,
                files, pools);
    }

    /** A server with a cgroup parent and uid range the test chose (to prepare the parent first, say). */
    public static TestingServer start(Path dataDir, dev.sandpool.config.SandboxConfig sandbox, PoolConfig... pools)
            throws IOException {
        return start(dataDir, sandbox, dev.sandpool.config.ConnectionTimeouts.defaults(), ExecutionConfig.defaults(),
                dev.sandpool.config.FilesConfig.defaults(), pools);
    }

    private static TestingServer start(Path dataDir, dev.sandpool.config.SandboxConfig sandbox,
                                       dev.sandpool.config.ConnectionTimeouts timeouts, ExecutionConfig execution,
                                       dev.sandpool.config.FilesConfig files, PoolConfig... pools) throws IOException {
        SandpoolConfig config = new SandpoolConfig(new ServerConfig("127.0.0.1", 0, dataDir, null, timeouts),
                new AuthConfig(AuthMode.API_KEY), sandbox, execution, files, List.of(pools));
        return new TestingServer(SandpoolServer.start(config), dataDir);
    }

    /** A small pool for tests: 256Mi, one core, the given sizes and cooldown. */
    public static PoolConfig pool(String name, int max, int ready, int cooldownSeconds) {
        return new PoolConfig(name, null, max, ready, cooldownSeconds, null, 1.0,
                dev.sandpool.config.DataSize.parse("256Mi"), List.of());
    }

    /** How the pool knows a session of this server's (generated, admin) key under identifier binding. */
    public String sessionKey(String identifier) {
        return "key:default " + identifier;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The sandbox of the identifier's session in {@code pool}. */
    public dev.sandpool.sandbox.Sandbox sandboxOf(String pool, String identifier) {
        return server.pools().pool(pool).orElseThrow().sandbox(sessionKey(identifier));
    }

    /**
     * The session's /mnt/data, held until closed: once a session is ready, its volume is mounted in its
     * sandbox only, so no host path leads there.
     */
    public dev.sandpool.sandbox.HeldDirectory dataOf(String pool, String identifier) throws java.io.IOException {
        return sandboxOf(pool, identifier).openData();
    }

    public String endpoint(String pool) {
        return server.poolEndpoint(pool);
    }

    @Override
    public void close() {
        String cgroupParent = server.config().sandbox().cgroupParent();
        try {
            server.close();
        } finally {
            TestingRuntime.removeCgroupsAndData(cgroupParent, dataDir);
        }
    }
}
