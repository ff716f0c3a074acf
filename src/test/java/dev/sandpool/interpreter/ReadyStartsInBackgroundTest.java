package dev.sandpool.interpreter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.sandbox.ResourceLimits;
import dev.sandpool.sandbox.SandboxRuntime;
import dev.sandpool.testing.TestingRuntime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A pool starts its ready sessions in the background ({@link SandboxRuntime#BACKGROUND_START}) and
 * the sessions an identifier waits for in the foreground. (In this package for the Python launcher.)
 */
class ReadyStartsInBackgroundTest {
    private static PoolConfig pool(String name, int max, int ready) {
        return new PoolConfig(name, ContainerType.PythonLTS, max, ready, 300, null, 1.0, DataSize.parse("192Mi"),
                List.of(), null);
    }

    private static final ResourceLimits LIMITS = new ResourceLimits(DataSize.parse("192Mi"), 1.0, 64);

    @Test
    void refillsStartInTheBackgroundAndAnIdentifierWithoutAReadySessionDoesNot() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            InterpreterLauncher python = InterpreterLauncher.python(
                    DriverFiles.install(sandboxes.dataDir.resolve("runtime")).python(), List.of());
            List<Boolean> background = new CopyOnWriteArrayList<>();
            SessionPool.InterpreterFactory factory = config -> {
                background.add(SandboxRuntime.BACKGROUND_START.orElse(false));
                return Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2));
            };
            SessionPool warm = new SessionPool(pool("warm", 2, 1), factory, Clock.systemUTC(), 2);
            SessionPool cold = new SessionPool(pool("cold", 1, 0), factory, Clock.systemUTC(), 2);
            try {
                warm.refill();
                await().atMost(Duration.ofSeconds(60)).until(() -> warm.readyCount() == 1);
                assertThat(background).containsExactly(true);
                // taking the ready one calls for another, started in the background too
                warm.acquire("takes-the-ready-one");
                await().atMost(Duration.ofSeconds(60)).until(() -> warm.readyCount() == 1);
                assertThat(background).containsExactly(true, true);
                // with none ready, the identifier waits for a start of its own: that one is not held back
                cold.sandbox("waits-for-its-own");
                assertThat(background).containsExactly(true, true, false);
            } finally {
                warm.close();
                cold.close();
            }
        }
    }
}
