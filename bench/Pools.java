import dev.sandpool.pool.SessionPool;
import dev.sandpool.server.SandpoolServer;
import java.time.Duration;

/** Creating and removing pools through the management API, as a user would, and waiting on their counts. */
final class Pools {
    private Pools() {}

    static void put(Http1 http, String name, String properties) throws Exception {
        var r = http.send("PUT", "/management/pools/" + name, "{\"properties\":" + properties + "}");
        if (r.status() != 200 && r.status() != 201) {
            throw new IllegalStateException("cannot create pool " + name + ": " + r.status() + " " + r.text());
        }
    }

    static void delete(Http1 http, String name) throws Exception {
        var r = http.send("DELETE", "/management/pools/" + name, "");
        if (r.status() != 204 && r.status() != 200) {
            throw new IllegalStateException("cannot delete pool " + name + ": " + r.status() + " " + r.text());
        }
    }

    /** A PythonLTS pool's properties, with optional extra {@code sandpoolConfiguration} members. */
    static String python(int max, int ready, String sandpoolExtra) {
        return """
                {"containerType": "PythonLTS",
                 "scaleConfiguration": {"maxConcurrentSessions": %d, "readySessionInstances": %d},
                 "dynamicPoolConfiguration": {"lifecycleConfiguration": {"lifecycleType": "Timed", "cooldownPeriodInSeconds": 3600}},
                 "sandpoolConfiguration": {"cpu": 1.0, "memory": "256Mi"%s}}""".formatted(max, ready,
                sandpoolExtra.isEmpty() ? "" : ", " + sandpoolExtra);
    }

    /** Waits until the pool has {@code ready} ready sessions; returns how long that took. */
    static Duration awaitReady(SandpoolServer server, String name, int ready, Duration atMost) throws Exception {
        long start = System.nanoTime();
        long deadline = start + atMost.toNanos();
        SessionPool pool = server.pools().pool(name).orElseThrow();
        while (pool.readyCount() < ready) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool " + name + " reached " + pool.readyCount() + " of " + ready
                        + " ready sessions in " + atMost);
            }
            Thread.sleep(5);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Waits until a deleted pool has left the server (its sessions ended). */
    static void awaitGone(SandpoolServer server, String name) throws Exception {
        for (int i = 0; i < 6000 && server.pools().pool(name).isPresent(); i++) {
            Thread.sleep(10);
        }
    }
}
