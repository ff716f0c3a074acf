package dev.sandpool.server;

import dev.sandpool.config.ConnectionTimeouts;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes the connections of clients that send too slowly, so that a slow-loris client cannot hold
 * connections forever. Helidon 4.5 applies no socket read timeout on the server side and its idle
 * timeout only covers a connection waiting for its request line, so this adds the other two: a
 * deadline for the header block and a longest pause inside a request body.
 */
final class SlowClients implements AutoCloseable {
    private final ConnectionTimeouts timeouts;
    private final ScheduledExecutorService timer = dev.sandpool.interpreter.DeadlineTimer.create("sandpool-slow-clients");

    SlowClients(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** Helidon's own idle timeout: a connection waiting for (or dribbling) a request line. */
    void idleTimeout(WebServerConfig.Builder server) {
        Duration idle = timeouts.idle();
        Duration period = Duration.ofMillis(Math.clamp(idle.toMillis() / 4, 50, 15_000));
        server.idleConnectionTimeout(idle).idleConnectionPeriod(period);
    }

    /** Closes a connection whose header block does not end within the header timeout after its request line. */
    Http1ConnectionListener headerDeadline() {
        Map<ConnectionContext, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                ScheduledFuture<?> deadline = timer.schedule(() -> {
                    if (pending.remove(ctx) != null) {
                        ctx.serverSocket().close();
                    }
                }, timeouts.header().toMillis(), TimeUnit.MILLISECONDS);
                ScheduledFuture<?> stale = pending.put(ctx, deadline);
                if (stale != null) {
                    stale.cancel(false);
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                ScheduledFuture<?> deadline = pending.remove(ctx);
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
        };
    }

    /**
     * Gives every request body a longest pause between two reads; a body that fails to read closes
     * the connection after the answer, because Helidon would otherwise try to drain what is left.
     */
    Filter guardedBodies() {
        return (chain, req, res) -> {
            req.streamFilter(in -> new GuardedBody(in, timeouts.bodyRead(), timer,
                    () -> res.header(io.helidon.http.HeaderValues.CONNECTION_CLOSE)));
            chain.proceed();
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
