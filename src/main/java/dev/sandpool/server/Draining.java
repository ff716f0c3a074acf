package dev.sandpool.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in flight and, once a graceful stop begins, turns new ones away with 503, so
 * that the stop can wait for the running executions to answer before the server goes.
 */
final class Draining implements Filter {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (draining) {
            res.header("Retry-After", "5");
            Responses.error(res, Status.SERVICE_UNAVAILABLE_503, "ServerStopping",
                    "the server is restarting; sessions are kept, retry in a few seconds");
            return;
        }
        inFlight.incrementAndGet();
        try {
            chain.proceed();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Refuses new requests and waits, up to {@code timeoutMillis}, for those in flight; true when none is left. */
    boolean drain(long timeoutMillis) {
        draining = true;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return inFlight.get() == 0;
    }
}
