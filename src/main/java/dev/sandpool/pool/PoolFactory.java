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

    public PoolFactory(SandboxRuntime runtime, DriverFiles.Installed drivers, SandpoolConfig server) {
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
        return Interpreter.adopt(runtime, handle, limits, Duration.ofSeconds(server.execution().interruptGraceInSeconds()));
    }

    /** Starts an interpreter as the pool is configured now, so that an update applies to new sessions. */
    private Interpreter start(PoolConfig pool) throws java.io.IOException {
        ResourceLimits limits = new ResourceLimits(pool.memory(), pool.cpu(), server.sandbox().pidsLimit());
        InterpreterLauncher launcher = switch (pool.containerType()) {
            case NodeLTS -> InterpreterLauncher.node(drivers.node(), pool.preload());
            case Shell -> InterpreterLauncher.python(drivers.python(), List.of());
            default -> InterpreterLauncher.python(drivers.python(), pool.preload());
        };
        return Interpreter.start(runtime, launcher, limits, Duration.ofSeconds(server.execution().interruptGraceInSeconds()));
    }
}
