import dev.sandpool.server.SandpoolServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Many idle ready sessions held at once: their memory (PSS of the sandboxes and of the server),
 * how fast the pool filled, and whether allocation slows down with that many sessions live.
 */
final class Density {
    record Result(int sessions, Duration fill, long sandboxesKiB, long serverKiB, Bench.Stats allocation) {
        double perSessionMiB() {
            return (sandboxesKiB + serverKiB) / 1024.0 / sessions;
        }
    }

    private Density() {}

    static Result measure(SandpoolServer server, Http1 http, String name, int sessions, String sandpoolExtra,
                          int allocations) throws Exception {
        long sandboxesBefore = Memory.sandboxesKiB(Bench.UID_BASE, Bench.UID_COUNT);
        long serverBefore = Memory.selfKiB();
        Pools.put(http, name, Pools.python(sessions + allocations, sessions, sandpoolExtra));
        Duration fill = Pools.awaitReady(server, name, sessions, Duration.ofMinutes(5));
        Thread.sleep(1000); // let the sessions settle (the drivers finish importing)
        long sandboxes = Memory.sandboxesKiB(Bench.UID_BASE, Bench.UID_COUNT) - sandboxesBefore;
        long serverGrowth = Math.max(0, Memory.selfKiB() - serverBefore);
        // each allocation takes a ready session: with only a few live, back-to-back allocations would
        // drain the pool and time cold starts instead
        List<Double> alloc = new ArrayList<>();
        for (int i = 0; i < allocations; i++) {
            Pools.awaitReady(server, name, sessions, Duration.ofMinutes(1));
            alloc.add(Bench.execute(http, name, "dense-" + i + "-id"));
        }
        Pools.delete(http, name);
        Pools.awaitGone(server, name);
        return new Result(sessions, fill, sandboxes, serverGrowth, Bench.Stats.of(alloc));
    }
}
