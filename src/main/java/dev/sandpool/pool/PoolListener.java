package dev.sandpool.pool;

import dev.sandpool.interpreter.ExecutionResult;
import java.time.Duration;

/**
 * What a pool reports as it works, for metrics and logs. Identifiers are passed as they are:
 * listeners must not write them in clear anywhere. Methods are called on the pool's threads and
 * must return quickly.
 */
public interface PoolListener {
    PoolListener NONE = new PoolListener() {};

    /** Why a session ended. */
    enum EndReason { DELETED, EXPIRED, SHUTDOWN, CONTAINER_EXITED, MAX_ALIVE, START_FAILED }

    /** A new identifier got a session, with a ready sandbox or (fromReady false) one started for it. */
    default void sessionAllocated(String pool, String identifier, boolean fromReady) {}

    default void sessionEnded(String pool, String identifier, EndReason reason) {}

    /** A sandbox with its interpreter became usable, {@code startTime} after the start began. */
    default void sandboxStarted(String pool, Duration startTime) {}

    default void sandboxStartFailed(String pool, Throwable error) {}

    /** A custom container failed its liveness probe {@code failureThreshold} times in a row and is replaced. */
    default void livenessFailed(String pool, String why) {}

    /** An execution ended; {@code waited} is the time it spent queued behind others on its session. */
    default void executionFinished(String pool, String identifier, ExecutionResult result, Duration waited) {}

    /** A new identifier found the pool full. */
    default void poolFull(String pool) {}

    /** One request went through a custom container's proxy: body bytes to it and response bytes back. */
    default void proxied(String pool, long toContainer, long fromContainer) {}
}
