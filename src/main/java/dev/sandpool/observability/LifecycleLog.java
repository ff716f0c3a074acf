package dev.sandpool.observability;

import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.pool.PoolListener;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured log line per session lifecycle event, on the logger {@code sandpool.session}.
 * Each line has an {@code event} field; identifiers appear only as {@link IdentifierHash}es.
 */
final class LifecycleLog implements PoolListener {
    static final String LOGGER = "sandpool.session";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** Start errors carry the interpreter's console output, which can be long. */
    private static final int MAX_ERROR_LENGTH = 500;

    @Override
    public void sessionAllocated(String pool, String identifier, boolean fromReady) {
        LOG.atInfo().setMessage("session allocated")
                .addKeyValue("event", "session_allocated")
                .addKeyValue("pool", pool)
                .addKeyValue("identifier_hash", IdentifierHash.of(pool, identifier))
                .addKeyValue("source", fromReady ? "ready" : "started")
                .log();
    }

    @Override
    public void sessionEnded(String pool, String identifier, EndReason reason) {
        LOG.atInfo().setMessage("session ended")
                .addKeyValue("event", "session_ended")
                .addKeyValue("pool", pool)
                .addKeyValue("identifier_hash", IdentifierHash.of(pool, identifier))
                .addKeyValue("reason", reason.name().toLowerCase(Locale.ROOT))
                .log();
    }

    @Override
    public void sandboxStarted(String pool, Duration startTime) {
        LOG.atDebug().setMessage("sandbox started")
                .addKeyValue("event", "sandbox_started")
                .addKeyValue("pool", pool)
                .addKeyValue("duration_ms", startTime.toNanos() / 1e6)
                .log();
    }

    @Override
    public void sandboxStartFailed(String pool, Throwable error) {
        String message = String.valueOf(error.getMessage());
        LOG.atWarn().setMessage("sandbox start failed")
                .addKeyValue("event", "sandbox_start_failed")
                .addKeyValue("pool", pool)
                .addKeyValue("error", message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) + "…" : message)
                .log();
    }

    @Override
    public void livenessFailed(String pool, String why) {
        LOG.atWarn().setMessage("container failed its liveness probe; replacing it")
                .addKeyValue("event", "liveness_failed")
                .addKeyValue("pool", pool)
                .addKeyValue("error", why.length() > MAX_ERROR_LENGTH ? why.substring(0, MAX_ERROR_LENGTH) + "…" : why)
                .log();
    }

    @Override
    public void executionFinished(String pool, String identifier, ExecutionResult result, Duration waited) {
        if (!result.sessionLost()) {
            return; // the request log line already covers ordinary executions
        }
        LOG.atWarn().setMessage("session lost its sandbox")
                .addKeyValue("event", "session_lost")
                .addKeyValue("pool", pool)
                .addKeyValue("identifier_hash", IdentifierHash.of(pool, identifier))
                .addKeyValue("loss", PoolMetrics.reason(result.loss()))
                .addKeyValue("duration_ms", result.durationMillis())
                .log();
    }

    @Override
    public void poolFull(String pool) {
        LOG.atInfo().setMessage("pool full, new identifier refused")
                .addKeyValue("event", "pool_full")
                .addKeyValue("pool", pool)
                .log();
    }
}
