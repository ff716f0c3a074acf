package dev.sandpool.pool;

import dev.sandpool.config.PoolConfig;
import dev.sandpool.config.SandpoolConfig;
import dev.sandpool.interpreter.DriverFiles;
import dev.sandpool.interpreter.Interpreter;
import dev.sandpool.interpreter.InterpreterLauncher;
import dev.sandpool.sandbox.ResourceLimits;
import dev.sandpool.sandbox.SandboxRuntime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Makes session pools from their config: which driver, what limits, how many parallel starts. */
public final class PoolFactory {
    private final SandboxRuntime runtime;
    private final DriverFiles.Installed drivers;
    private final SandpoolConfig server;
    private volatile PoolListener listener = PoolListener.NONE;
    private volatile SessionBook book = SessionBook.NONE;
    private final dev.sandpool.image.ImageStore images;
    private final java.util.Map<String, dev.sandpool.image.Image> pulled = new java.util.concurrent.ConcurrentHashMap<>();

    public PoolFactory(SandboxRuntime runtime, DriverFiles.Installed drivers, SandpoolConfig server,
                       dev.sandpool.image.ImageStore images) {
        this.images = images;
        this.runtime = runtime;
        this.drivers = drivers;
        this.server = server;
    }

    /** Every pool made from now on reports to {@code listener} and records its sessions in {@code book}. */
    public void observe(PoolListener listener, SessionBook book) {
        this.listener = listener;
        this.book = book;
    }

    public SessionPool create(PoolConfig pool) {
        int parallelStarts = Math.max(2, Runtime.getRuntime().availableProcessors());
        SessionPool created = new SessionPool(pool, this::start, Clock.systemUTC(), parallelStarts);
        created.listener(listener);
        created.book(book);
        return created;
    }

    /** Reconnects to a sandbox that a previous server process started for this pool; empty when it is gone. */
    public java.util.Optional<Interpreter> adopt(PoolConfig pool, dev.sandpool.sandbox.SandboxHandle handle) {
        ResourceLimits limits = new ResourceLimits(pool.memory(), pool.cpu(), server.sandbox().pidsLimit());
        if (pool.container() != null) {
            // a container has no driver to reconnect to: it is back when its server still answers
            return runtime.adopt(handle, limits).flatMap(sandbox -> {
                try {
                    return java.util.Optional.of(Interpreter.container(sandbox, pool.container().targetPort(),
                            Duration.ofSeconds(10)));
                } catch (java.io.IOException e) {
                    return java.util.Optional.empty();
                }
            });
        }
        return Interpreter.adopt(runtime, handle, limits, Duration.ofSeconds(server.execution().interruptGraceInSeconds()));
    }

    /** Starts an interpreter as the pool is configured now, so that an update applies to new sessions. */
    private Interpreter start(PoolConfig pool) throws java.io.IOException {
        ResourceLimits limits = new ResourceLimits(pool.memory(), pool.cpu(), server.sandbox().pidsLimit());
        if (pool.container() != null) {
            return startContainer(pool.container(), limits, egress(pool));
        }
        InterpreterLauncher language = switch (pool.containerType()) {
            case NodeLTS -> InterpreterLauncher.node(drivers.node(), pool.preload());
            case Shell -> InterpreterLauncher.python(drivers.python(), List.of());
            default -> InterpreterLauncher.python(drivers.python(), pool.preload());
        };
        InterpreterLauncher launcher = sandboxLimits -> language.spec(sandboxLimits).withEgress(egress(pool))
                .withIsolation(pool.isolation());
        return Interpreter.start(runtime, launcher, limits, Duration.ofSeconds(server.execution().interruptGraceInSeconds()));
    }

    /**
     * A custom container: the image is pulled once (per reference) and shared; the session is
     * ready when its server accepts connections on the target port. A pull failure fails this
     * start with the reason, and the pool retries later: allocation never hangs on it.
     */
    private Interpreter startContainer(dev.sandpool.config.CustomContainerConfig container, ResourceLimits limits,
                                       java.util.Optional<dev.sandpool.sandbox.Egress> egress) throws java.io.IOException {
        dev.sandpool.image.Image image = pulled.get(container.image());
        if (image == null) {
            try {
                image = images.pull(dev.sandpool.image.ImageRef.parse(container.image()), credentials(container),
                        Duration.ofMinutes(5));
            } catch (dev.sandpool.image.ImagePullException | IllegalArgumentException e) {
                throw new java.io.IOException(e.getMessage(), e);
            }
            pulled.put(container.image(), image);
        }
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>(image.environment());
        env.putAll(container.env());
        for (var secret : container.secretEnv().entrySet()) {
            // read at each start, so that a rotated secret file reaches new sessions; one final newline is the file's, not the value's
            String value = java.nio.file.Files.readString(secret.getValue());
            env.put(secret.getKey(), value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
        }
        var spec = new dev.sandpool.sandbox.SandboxSpec(image.command(container.command(), container.args()), env, limits,
                java.util.Map.of(), java.util.Optional.of(new dev.sandpool.sandbox.SandboxSpec.ContainerRoot(image.rootfs(),
                        image.workingDir(), image.uid().orElse(0), image.gid().orElse(0))), egress,
                dev.sandpool.config.Isolation.NAMESPACES);
        var sandbox = runtime.start(spec);
        var startup = container.probe(dev.sandpool.config.ProbeConfig.Type.Startup);
        return startup.isPresent()
                ? Interpreter.container(sandbox, new dev.sandpool.interpreter.ContainerProbe(startup.get(), container.targetPort()))
                : Interpreter.container(sandbox, container.targetPort(), Duration.ofSeconds(60));
    }

    /** Allow-list entries that are not address ranges are domain names (the config checked they are one or the other). */
    private static java.util.Optional<dev.sandpool.sandbox.Egress> egress(PoolConfig pool) {
        if (pool.networkStatus() != dev.sandpool.config.NetworkStatus.EgressEnabled) {
            return java.util.Optional.empty();
        }
        var byKind = pool.egressAllowList().stream()
                .collect(java.util.stream.Collectors.partitioningBy(dev.sandpool.config.Cidr::isValid));
        return java.util.Optional.of(new dev.sandpool.sandbox.Egress(byKind.get(true), byKind.get(false)));
    }

    private static java.util.Optional<dev.sandpool.image.RegistryCredentials> credentials(
            dev.sandpool.config.CustomContainerConfig c) throws java.io.IOException {
        if (c.registryUsername() == null) {
            return java.util.Optional.empty();
        }
        String password = c.registryPasswordFile() != null
                ? java.nio.file.Files.readString(c.registryPasswordFile()).strip() : System.getenv(c.registryPasswordEnv());
        return java.util.Optional.of(new dev.sandpool.image.RegistryCredentials(
                c.registryServer(), c.registryUsername(), password == null ? "" : password));
    }
}
