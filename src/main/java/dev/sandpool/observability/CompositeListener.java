package dev.sandpool.observability;

import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.pool.PoolListener;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several listeners behind the pool's single slot. A listener that throws is logged and skipped:
 * a metrics bug must not fail an allocation or an execution, which run these callbacks inline.
 */
final class CompositeListener implements PoolListener {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeListener.class);
    private final List<PoolListener> listeners;
    private final ThreadLocal<Throwable> lastStartFailure = new ThreadLocal<>();

    CompositeListener(PoolListener... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public void sessionAllocated(String pool, String identifier, boolean fromReady) {
        each(l -> l.sessionAllocated(pool, identifier, fromReady));
    }

    @Override
    public void sessionEnded(String pool, String identifier, EndReason reason) {
        each(l -> l.sessionEnded(pool, identifier, reason));
    }

    @Override
    public void sandboxStarted(String pool, Duration startTime) {
        each(l -> l.sandboxStarted(pool, startTime));
    }

    @Override
    public void sandboxStartFailed(String pool, Throwable error) {
        // The pool reports a failed ready start twice on the same thread: the factory's exception,
        // then the exception wrapping it. Count and log the failure once.
        Throwable previous = lastStartFailure.get();
        if (previous != null && error.getCause() == previous) {
            lastStartFailure.remove();
            return;
        }
        lastStartFailure.set(error);
        each(l -> l.sandboxStartFailed(pool, error));
    }

    @Override
    public void livenessFailed(String pool, String why) {
        each(l -> l.livenessFailed(pool, why));
    }

    @Override
    public void executionFinished(String pool, String identifier, ExecutionResult result, Duration waited) {
        each(l -> l.executionFinished(pool, identifier, result, waited));
    }

    @Override
    public void poolFull(String pool) {
        each(l -> l.poolFull(pool));
    }

    @Override
    public void proxied(String pool, long toContainer, long fromContainer) {
        each(l -> l.proxied(pool, toContainer, fromContainer));
    }

    private void each(java.util.function.Consumer<PoolListener> call) {
        for (PoolListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                // the exception's message is not logged: it could quote an identifier
                LOG.warn("pool listener {} failed: {}", listener.getClass().getSimpleName(), e.getClass().getName());
            }
        }
    }
}
