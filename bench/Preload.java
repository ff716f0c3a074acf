import dev.sandpool.server.SandpoolServer;
import java.util.ArrayList;
import java.util.List;

/**
 * A pool that preloads numpy, pandas and matplotlib: what the first {@code import pandas} of a
 * new session costs over a plain {@code 1+1} on the same session, and each idle ready session's memory.
 */
final class Preload {
    static final String MODULES = "\"preload\": [\"numpy\", \"pandas\", \"matplotlib\"]";

    record Result(Bench.Stats importCost, Bench.Stats plain, Density.Result memory) {}

    private Preload() {}

    static Result measure(SandpoolServer server, Http1 http, int sessions) throws Exception {
        Density.Result memory = Density.measure(server, http, "preloaded-mem", sessions, MODULES, 0);
        Pools.put(http, "preloaded", Pools.python(sessions + 1, sessions, MODULES));
        Pools.awaitReady(server, "preloaded", sessions, java.time.Duration.ofMinutes(3));
        List<Double> cost = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            String id = "preload-" + i + "-id";
            Bench.execute(http, "preloaded", id); // allocation
            double imported = Bench.execute(http, "preloaded", id, "import pandas\\n1+1");
            double base = Bench.execute(http, "preloaded", id);
            plain.add(base);
            cost.add(Math.max(0, imported - base));
        }
        Pools.delete(http, "preloaded");
        Pools.awaitGone(server, "preloaded");
        return new Result(Bench.Stats.of(cost), Bench.Stats.of(plain), memory);
    }
}
