package dev.sandpool.pool;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The server's pools by name, and the one timer that reaps idle sessions and refills ready ones. */
public final class PoolManager implements AutoCloseable {
    private final Map<String, SessionPool> pools = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("pool-housekeeping").factory());

    /** Console output kept per sandbox, current and rotated file each. */
    public static final long CONSOLE_LOG_BYTES = 1 << 20;

    public PoolManager(Collection<SessionPool> pools) {
        pools.forEach(p -> this.pools.put(p.name(), p));
    }

    public PoolManager start() {
        pools.values().forEach(SessionPool::refill);
        housekeeping.scheduleWithFixedDelay(() -> pools.values().forEach(pool -> {
            try {
                pool.reapIdle();
                pool.checkHealth();
                pool.rotateConsoles(CONSOLE_LOG_BYTES);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(PoolManager.class).warn("housekeeping of pool {} failed", pool.name(), e);
            }
        }), 250, 250, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Adds a pool at run time; false when one of that name exists. */
    public synchronized boolean add(SessionPool pool) {
        if (pools.putIfAbsent(pool.name(), pool) != null) {
            return false;
        }
        pool.refill();
        return true;
    }

    /** Stops allocation in the pool, ends its sessions and frees everything; false when there was none. */
    public boolean remove(String name) {
        SessionPool pool = pools.remove(name);
        if (pool == null) {
            return false;
        }
        pool.close();
        return true;
    }

    public Optional<SessionPool> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    public Collection<SessionPool> pools() {
        return pools.values();
    }

    /** Stops housekeeping and leaves every allocated session running for the next server process. */
    public void detach() {
        housekeeping.shutdownNow();
        pools.values().forEach(SessionPool::detach);
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        pools.values().forEach(SessionPool::close);
    }
}
