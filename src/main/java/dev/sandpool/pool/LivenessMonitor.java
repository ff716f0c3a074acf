package dev.sandpool.pool;

import dev.sandpool.interpreter.ContainerProbe;
import dev.sandpool.interpreter.Interpreter;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Runs a pool's liveness probe against each of its containers: first the probe's initial delay
 * after the monitor first sees a container, then every period, each check on its own virtual
 * thread so that a slow container never holds up the others. {@code failureThreshold} misses in
 * a row report the container as failed, once.
 */
final class LivenessMonitor {
    private final Map<Interpreter, Watch> watches = new ConcurrentHashMap<>();

    private static final class Watch {
        volatile long dueNanos;
        volatile boolean inFlight;
        volatile boolean reported;
        int misses; // written by one check at a time
    }

    /** Checks whatever is due among {@code live}; forgets containers no longer in it. */
    void check(Collection<Interpreter> live, ContainerProbe probe, BiConsumer<Interpreter, String> failed) {
        Set<Interpreter> current = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        current.addAll(live);
        watches.keySet().removeIf(i -> !current.contains(i));
        long now = System.nanoTime();
        for (Interpreter interpreter : current) {
            Watch watch = watches.computeIfAbsent(interpreter, i -> {
                Watch w = new Watch();
                w.dueNanos = now + java.util.concurrent.TimeUnit.SECONDS.toNanos(probe.config().initialDelaySeconds());
                return w;
            });
            if (watch.inFlight || watch.reported || now < watch.dueNanos || !interpreter.isAlive()) {
                continue;
            }
            watch.inFlight = true;
            Thread.ofVirtual().name("liveness").start(() -> {
                try {
                    var failure = probe.check(interpreter.sandbox());
                    watch.misses = failure.isEmpty() ? 0 : watch.misses + 1;
                    if (failure.isPresent() && watch.misses >= probe.config().failureThreshold()) {
                        watch.reported = true;
                        failed.accept(interpreter, failure.get());
                    }
                } finally {
                    watch.dueNanos = System.nanoTime()
                            + java.util.concurrent.TimeUnit.SECONDS.toNanos(probe.config().periodSeconds());
                    watch.inFlight = false;
                }
            });
        }
    }
}
