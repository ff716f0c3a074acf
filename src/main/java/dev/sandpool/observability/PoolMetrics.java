package dev.sandpool.observability;

import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.pool.PoolListener;
import dev.sandpool.pool.SessionPool;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics, fed by the pools' listener callbacks and by gauges read from
 * the pools at scrape time. One registry per server, because tests run several servers in one JVM
 * and each must see only its own pools.
 */
final class PoolMetrics implements PoolListener {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    // Ready sessions answer in milliseconds and started ones in about a second; the high buckets
    // catch starts queued behind others.
    private static final double[] ALLOCATION_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30};
    // Executions run up to execution.maxTimeoutInSeconds (220 by default).
    private static final double[] EXECUTION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
            120, 240};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final RequestScope requests;
    private volatile Supplier<Collection<SessionPool>> pools = List::of;

    private final Histogram allocation;
    private final Histogram execution;
    private final Histogram executionWait;
    private final Histogram sandboxStart;
    private final Counter sandboxStarts;
    private final Counter sandboxStartFailures;
    private final Counter livenessFailures;
    private final Counter oomKills;
    private final Counter sessionsLost;
    private final Counter sessionsEnded;
    private final Counter poolFull;
    private final Counter proxyBytes;
    /** Cold allocations whose sandbox start happens on another thread (asynchronous V2 executions). */
    private final Map<RequestScope.ColdAllocation, Long> pendingCold = new ConcurrentHashMap<>();

    PoolMetrics(RequestScope requests) {
        this.requests = requests;
        gauge("sandpool_sessions_ready", "Ready (pre-started, unallocated) sessions", SessionPool::readyCount);
        gauge("sandpool_sessions_allocated", "Sessions allocated to an identifier", SessionPool::allocatedCount);
        gauge("sandpool_sessions_max", "maxConcurrentSessions: cap on allocated plus ready sessions",
                p -> p.config().maxConcurrentSessions());
        gauge("sandpool_sessions_ready_target", "readySessionInstances: how many ready sessions the pool keeps",
                p -> p.config().readySessionInstances());
        allocation = register(Histogram.builder().name("sandpool_allocation_seconds")
                .help("Time from the arrival of a new identifier's first request until its session had a sandbox")
                .labelNames("pool", "source").classicOnly().classicUpperBounds(ALLOCATION_BUCKETS).build());
        execution = register(Histogram.builder().name("sandpool_execution_seconds")
                .help("Execution time as reported to the client (executionTimeInMilliseconds)")
                .labelNames("pool", "outcome").classicOnly().classicUpperBounds(EXECUTION_BUCKETS).build());
        executionWait = register(Histogram.builder().name("sandpool_execution_wait_seconds")
                .help("Time an execution waited for its session: earlier calls on it, or its sandbox starting")
                .labelNames("pool").classicOnly().classicUpperBounds(EXECUTION_BUCKETS).build());
        sandboxStart = register(Histogram.builder().name("sandpool_sandbox_start_seconds")
                .help("Time to start a sandbox and its interpreter")
                .labelNames("pool").classicOnly().classicUpperBounds(ALLOCATION_BUCKETS).build());
        sandboxStarts = register(Counter.builder().name("sandpool_sandbox_starts_total")
                .help("Sandboxes started, ready ones and ones started for a session").labelNames("pool").build());
        sandboxStartFailures = register(Counter.builder().name("sandpool_sandbox_start_failures_total")
                .help("Sandbox starts that failed").labelNames("pool").build());
        livenessFailures = register(Counter.builder().name("sandpool_liveness_failures_total")
                .help("Custom containers replaced because their liveness probe failed").labelNames("pool").build());
        oomKills = register(Counter.builder().name("sandpool_oom_kills_total")
                .help("Executions that hit the pool's memory limit; the session lost its sandbox").labelNames("pool").build());
        sessionsLost = register(Counter.builder().name("sandpool_sessions_lost_total")
                .help("Executions that cost the session its sandbox, by cause").labelNames("pool", "reason").build());
        sessionsEnded = register(Counter.builder().name("sandpool_sessions_ended_total")
                .help("Sessions ended: deleted by a client, expired after the cooldown, or shut down with the pool")
                .labelNames("pool", "reason").build());
        poolFull = register(Counter.builder().name("sandpool_pool_full_total")
                .help("New identifiers refused because the pool was full").labelNames("pool").build());
        proxyBytes = register(Counter.builder().name("sandpool_proxy_bytes_total")
                .help("Body bytes through custom-container proxies: to_container (requests) and from_container (responses)")
                .labelNames("pool", "direction").build());
        registry.register(JvmRegistry.INSTANCE);
    }

    /** The pools the gauges read; they are looked up at each scrape, so pools created later show up. */
    void pools(Supplier<Collection<SessionPool>> pools) {
        this.pools = pools;
    }

    /** Makes a pool's counters appear at zero, so that rates and alerts work before the first event. */
    void initialise(String pool) {
        for (Counter counter : List.of(sandboxStarts, sandboxStartFailures, livenessFailures, oomKills, poolFull)) {
            counter.initLabelValues(pool);
        }
    }

    byte[] scrape() {
        var out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void sessionAllocated(String pool, String identifier, boolean fromReady) {
        long since = requests.startNanos();
        if (fromReady) {
            observeAllocation(pool, "ready", System.nanoTime() - since);
            return;
        }
        var cold = new RequestScope.ColdAllocation(pool, identifier);
        pendingCold.put(cold, since);
        requests.coldAllocation(cold);
    }

    @Override
    public void sandboxStarted(String pool, Duration startTime) {
        sandboxStarts.labelValues(pool).inc();
        sandboxStart.labelValues(pool).observe(seconds(startTime.toNanos()));
        // A start on the thread of the request that allocated cold is that session's sandbox;
        // ready refills run on their own threads and never match.
        var cold = requests.takeColdAllocation(pool);
        if (cold != null) {
            finishCold(cold, System.nanoTime());
        }
    }

    @Override
    public void sandboxStartFailed(String pool, Throwable error) {
        sandboxStartFailures.labelValues(pool).inc();
        // The session stays pending: its allocation completes when a later start succeeds.
        requests.takeColdAllocation(pool);
    }

    @Override
    public void livenessFailed(String pool, String why) {
        livenessFailures.labelValues(pool).inc();
    }

    @Override
    public void executionFinished(String pool, String identifier, ExecutionResult result, Duration waited) {
        String outcome = result.sessionLost() ? "lost" : result.success() ? "success" : "failure";
        execution.labelValues(pool, outcome).observe(result.durationMillis() / 1000.0);
        executionWait.labelValues(pool).observe(seconds(waited.toNanos()));
        if (result.sessionLost()) {
            sessionsLost.labelValues(pool, reason(result.loss())).inc();
            if (result.loss() == ExecutionResult.Loss.MEMORY_LIMIT) {
                oomKills.labelValues(pool).inc();
            }
        }
        // Asynchronous executions start the sandbox on another thread; the execution began once it was up.
        finishCold(new RequestScope.ColdAllocation(pool, identifier),
                System.nanoTime() - Duration.ofMillis(result.durationMillis()).toNanos());
    }

    @Override
    public void sessionEnded(String pool, String identifier, EndReason reason) {
        pendingCold.remove(new RequestScope.ColdAllocation(pool, identifier));
        sessionsEnded.labelValues(pool, reason.name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void poolFull(String pool) {
        poolFull.labelValues(pool).inc();
    }

    @Override
    public void proxied(String pool, long toContainer, long fromContainer) {
        proxyBytes.labelValues(pool, "to_container").inc(toContainer);
        proxyBytes.labelValues(pool, "from_container").inc(fromContainer);
    }

    static String reason(ExecutionResult.Loss loss) {
        return loss.name().toLowerCase(Locale.ROOT);
    }

    private void finishCold(RequestScope.ColdAllocation cold, long atNanos) {
        Long since = pendingCold.remove(cold);
        if (since != null) {
            observeAllocation(cold.pool(), "started", atNanos - since);
        }
    }

    private void observeAllocation(String pool, String source, long nanos) {
        allocation.labelValues(pool, source).observe(seconds(Math.max(0, nanos)));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private void gauge(String name, String help, ToDoubleFunction<SessionPool> value) {
        Consumer<GaugeWithCallback.Callback> callback = cb -> {
            for (SessionPool pool : pools.get()) {
                cb.call(value.applyAsDouble(pool), pool.name());
            }
        };
        registry.register(GaugeWithCallback.builder().name(name).help(help).labelNames("pool").callback(callback).build());
    }

    private <M extends io.prometheus.metrics.model.registry.Collector> M register(M metric) {
        registry.register(metric);
        return metric;
    }

    /**
     * JVM metrics, registered once per JVM and served by every server's registry: they describe the
     * process, and registering them per server would add GC notification listeners each time.
     */
    private static final class JvmRegistry implements MultiCollector {
        static final JvmRegistry INSTANCE = new JvmRegistry();
        private final PrometheusRegistry jvm = new PrometheusRegistry();

        private JvmRegistry() {
            JvmMetrics.builder().register(jvm);
        }

        @Override
        public io.prometheus.metrics.model.snapshots.MetricSnapshots collect() {
            return jvm.scrape();
        }
    }
}
