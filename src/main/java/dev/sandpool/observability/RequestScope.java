package dev.sandpool.observability;

/**
 * The HTTP request being handled on the current thread, if any. Helidon runs a request's filters
 * and handler on one thread, so the pool's listener callbacks made while handling it can be tied
 * back to when the request arrived, which is where allocation latency starts for the client.
 */
final class RequestScope {
    /** A session allocated without a ready sandbox, whose sandbox start is still to come. */
    record ColdAllocation(String pool, String identifier) {}

    private static final class Current {
        final long startNanos;
        ColdAllocation cold;

        Current(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final ThreadLocal<Current> current = new ThreadLocal<>();

    void begin(long startNanos) {
        current.set(new Current(startNanos));
    }

    void end() {
        current.remove();
    }

    /** When the current request arrived; now when the pool is used outside a request. */
    long startNanos() {
        Current c = current.get();
        return c == null ? System.nanoTime() : c.startNanos;
    }

    void coldAllocation(ColdAllocation cold) {
        Current c = current.get();
        if (c != null) {
            c.cold = cold;
        }
    }

    /** The cold allocation this request made in {@code pool}, taken so that it is accounted once. */
    ColdAllocation takeColdAllocation(String pool) {
        Current c = current.get();
        if (c == null || c.cold == null || !c.cold.pool().equals(pool)) {
            return null;
        }
        ColdAllocation cold = c.cold;
        c.cold = null;
        return cold;
    }
}
