package dev.sandpool.observability;

import dev.sandpool.pool.PoolListener;
import dev.sandpool.pool.PoolManager;
import dev.sandpool.pool.SessionPool;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Metrics, structured logs and readiness for one server. Create it before the pools start, give
 * every pool its {@link #listener()}, then {@link #watch} the pool manager.
 */
public final class Observability {
    public static final String METRICS_PATH = "/metrics";
    private final RequestScope requests = new RequestScope();
    private final PoolMetrics metrics = new PoolMetrics(requests);
    /** Pools whose last sandbox start failed; cleared by the next start that works. */
    private final Set<String> startsFailing = ConcurrentHashMap.newKeySet();
    private final Readiness readiness = new Readiness(startsFailing);
    private final PoolListener listener = new CompositeListener(metrics, new LifecycleLog(), new PoolListener() {
        @Override
        public void sandboxStarted(String pool, Duration startTime) {
            startsFailing.remove(pool);
        }

        @Override
        public void sandboxStartFailed(String pool, Throwable error) {
            startsFailing.add(pool);
        }
    });
    private volatile PoolManager manager;

    /** The listener to set on every pool; one per server, shared by its pools. */
    public PoolListener listener() {
        return listener;
    }

    /** Reads pool state from {@code pools} from now on, for the gauges and for readiness. */
    public void watch(PoolManager pools) {
        this.manager = pools;
        metrics.pools(pools::pools);
        readiness.pools(pools::pools);
        attachToAll();
    }

    /**
     * Logs every request; register it before any other filter. Filters see the path as sent, so
     * {@code canonicalPath} maps every accepted spelling to the one the routes use.
     */
    public Filter requestLog(UnaryOperator<String> canonicalPath) {
        return new RequestLog(requests, canonicalPath, this::attachToAll);
    }

    public Readiness readiness() {
        return readiness;
    }

    /** {@code GET /metrics}: the Prometheus text format. */
    public Handler metricsEndpoint() {
        return (req, res) -> {
            byte[] body = metrics.scrape();
            res.header(HeaderNames.CONTENT_TYPE, PoolMetrics.CONTENT_TYPE);
            res.send(body);
        };
    }

    /**
     * Pools created through the management API are made by code that does not know this listener,
     * so after each management call every pool is given it (setting it again is harmless).
     */
    private void attachToAll() {
        PoolManager pools = manager;
        if (pools != null) {
            for (SessionPool pool : pools.pools()) {
                pool.listener(listener);
                metrics.initialise(pool.name());
            }
        }
    }
}
