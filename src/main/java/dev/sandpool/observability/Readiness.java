package dev.sandpool.observability;

import dev.sandpool.pool.SessionPool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Whether the server should get traffic: not until every pool has once had its ready sessions
 * (clients of a warm pool expect their first call to be fast), and from then on for good, since
 * later dips in the ready count are the pool doing its job, and a pool added through the
 * management API must not take the whole server out of rotation while it fills.
 *
 * <p>The check runs when probed, not on every pool event: a probe is cheap and frequent, and a
 * sandbox is counted ready only after the listener's start callback has returned.
 */
public final class Readiness {
    private volatile Supplier<Collection<SessionPool>> pools = List::of;
    private final Set<String> reached = ConcurrentHashMap.newKeySet();
    private final Set<String> startsFailing;
    private volatile boolean ready;

    /** The probe's answer: {@code body} is the JSON object to send, with 200 when ready and 503 otherwise. */
    public record Report(boolean ready, Map<String, Object> body) {}

    Readiness(Set<String> startsFailing) {
        this.startsFailing = startsFailing;
    }

    void pools(Supplier<Collection<SessionPool>> pools) {
        this.pools = pools;
    }

    public Report check() {
        List<Map<String, Object>> described = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (SessionPool pool : pools.get()) {
            var config = pool.config();
            // The same target the pool refills to: allocated sessions leave less room for ready ones.
            int target = Math.max(0, Math.min(config.readySessionInstances(),
                    config.maxConcurrentSessions() - pool.allocatedCount()));
            int readyNow = pool.readyCount();
            if (readyNow >= target) {
                reached.add(pool.name());
            }
            boolean poolReached = reached.contains(pool.name());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", pool.name());
            entry.put("ready", readyNow);
            entry.put("target", target);
            entry.put("reachedTarget", poolReached);
            if (!poolReached) {
                boolean failing = startsFailing.contains(pool.name());
                entry.put("sandboxStartsFailing", failing);
                waiting.add(pool.name() + " (" + readyNow + " of " + target + " ready"
                        + (failing ? ", sandbox starts failing: see the log" : "") + ")");
            }
            described.add(entry);
        }
        if (waiting.isEmpty()) {
            ready = true;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "starting");
        body.put("reason", ready ? "every pool has reached its ready session target"
                : "waiting for pools to reach their ready session target: " + String.join(", ", waiting));
        body.put("pools", described);
        return new Report(ready, body);
    }
}
