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

    public PoolFactory(SandboxRuntime runtime, DriverFiles.Installed drivers, SandpoolConfig server) {
        this.runtime = runtime;
        this.drivers = drivers;
        this.server = server;
    }

    public SessionPool create(PoolConfig pool) {
        int parallelStarts = Math.max(2, Runtime.getRuntime().availableProcessors());
        return new SessionPool(pool, this::start, Clock.systemUTC(), parallelStarts);
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
