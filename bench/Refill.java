import dev.sandpool.server.SandpoolServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pool created with many ready sessions fills from empty: the rate it reaches, and what that
 * does meanwhile to executions on a live session of another pool.
 */
final class Refill {
    record Result(int sessions, Duration fill, Bench.Stats execDuring) {
        double perSecond() {
            return sessions / (fill.toNanos() / 1e9);
        }
    }

    private Refill() {}

    static Result measure(SandpoolServer server, Http1 http, Http1 live, String name, int sessions) throws Exception {
        List<Double> during = new ArrayList<>();
        AtomicBoolean filling = new AtomicBoolean(true);
        Thread prober = Thread.ofPlatform().start(() -> {
            try {
                while (filling.get()) {
                    during.add(Bench.execute(live, "warm", "existing-1"));
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Duration fill;
        try {
            Pools.put(http, name, Pools.python(sessions, sessions, ""));
            fill = Pools.awaitReady(server, name, sessions, Duration.ofMinutes(3));
        } finally {
            filling.set(false);
            prober.join();
        }
        Pools.delete(http, name);
        Pools.awaitGone(server, name);
        return new Result(sessions, fill, Bench.Stats.of(during));
    }
}
