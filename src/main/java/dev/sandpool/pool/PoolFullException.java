package dev.sandpool.pool;

/** A new identifier arrived while the pool already holds maxConcurrentSessions sessions. */
public class PoolFullException extends RuntimeException {
    public PoolFullException(String pool, int max) {
        super("session pool '" + pool + "' is full: all " + max + " sessions (maxConcurrentSessions) are allocated; "
                + "no more sessions can be allocated until one is deleted or idles past its cooldown");
    }
}
