package dev.sandpool.pool;

import dev.sandpool.interpreter.ExecutionRequest;
import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.interpreter.Interpreter;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One allocated session: an identifier bound to an interpreter. Calls run one at a time, in arrival
 * order (a fair lock). When the interpreter has died, the next call quietly gets a fresh one, since
 * the user's old state is gone either way.
 */
public final class Session {
    private final String identifier;
    private final Instant createdAt;
    private final Clock clock;
    private final Supplier<Interpreter> interpreters;
    private final java.util.function.Consumer<Interpreter> bound;
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile Instant lastAccessedAt;
    private volatile boolean closed;
    private volatile Interpreter interpreter; // written under lock

    Session(String identifier, Interpreter first, Supplier<Interpreter> interpreters, Clock clock, Instant createdAt,
            java.util.function.Consumer<Interpreter> bound) {
        this.identifier = identifier;
        this.interpreter = first;
        this.interpreters = interpreters;
        this.bound = bound;
        this.clock = clock;
        this.createdAt = createdAt;
        this.lastAccessedAt = clock.instant();
    }

    public String identifier() {
        return identifier;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant lastAccessedAt() {
        return lastAccessedAt;
    }

    /** Stands for the sandbox behind the session, as Azure's etag stands for the container. */
    public String etag() {
        Interpreter current = interpreter;
        return current == null ? "" : current.sandbox().id();
    }

    ExecutionResult execute(ExecutionRequest request) {
        lock.lock();
        try {
            touch();
            if (closed) {
                throw new SessionClosedException();
            }
            Interpreter current = liveInterpreter();
            ExecutionResult result = current.execute(request);
            if (result.sessionLost()) {
                current.close();
                interpreter = null;
            }
            return result;
        } finally {
            touch();
            lock.unlock();
        }
    }

    /** The live sandbox, starting one first if the session has none. */
    dev.sandpool.sandbox.Sandbox sandbox() {
        touch();
        Interpreter current = interpreter;
        if (current == null || !current.isAlive()) {
            lock.lock();
            try {
                if (closed) {
                    throw new SessionClosedException();
                }
                current = liveInterpreter();
            } finally {
                lock.unlock();
            }
        }
        return current.sandbox();
    }

    private Interpreter liveInterpreter() {
        if (interpreter != null && !interpreter.isAlive()) {
            interpreter.close();
            interpreter = null;
        }
        if (interpreter == null) {
            Interpreter started = interpreters.get();
            try {
                bound.accept(started);
            } catch (RuntimeException e) {
                // a sandbox the registry does not know would not survive a restart: none at all
                started.close();
                throw e;
            }
            interpreter = started;
            if (closed) { // ended while the sandbox started: close() may have looked before it was set
                started.close();
                interpreter = null;
                throw new SessionClosedException();
            }
        }
        return interpreter;
    }

    void touch() {
        lastAccessedAt = clock.instant();
    }

    /** Idle means nobody is running or waiting to run, and the last call ended before {@code cutoff}. */
    boolean idleSince(Instant cutoff) {
        return !lock.isLocked() && !lock.hasQueuedThreads() && lastAccessedAt.isBefore(cutoff);
    }

    /** The session ended between lookup and use; the caller looks the identifier up again. */
    static final class SessionClosedException extends RuntimeException {
        SessionClosedException() {
            super(null, null, false, false);
        }
    }

    /** The current interpreter, if the session has one. */
    Interpreter interpreterOrNull() {
        return interpreter;
    }

    /** Leaves the sandbox running for the next server process; this object is done. */
    void detach() {
        closed = true;
        Interpreter current = interpreter;
        if (current != null) {
            current.detach();
        }
    }

    /** Ends the session now; a call in flight returns with its session lost. */
    void close() {
        closed = true;
        Interpreter current = interpreter;
        if (current != null) {
            current.close();
        }
    }
}
