package dev.sandpool.pool;

import dev.sandpool.config.PoolConfig;
import dev.sandpool.interpreter.ExecutionRequest;
import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.interpreter.Interpreter;
import dev.sandpool.sandbox.SandboxRuntime;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session pool: allocates a session to each new identifier, from ready (pre-started) interpreters
 * when there are any, keeps at most {@code maxConcurrentSessions} allocated, destroys sessions idle
 * past the cooldown, and refills the ready interpreters in the background.
 *
 * <p>Ready interpreters count against the maximum too: allocated plus ready never exceeds it, so
 * the pool's footprint is bounded by its configuration.
 */
public final class SessionPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);
    private static final Duration START_RETRY_DELAY = Duration.ofSeconds(2);
    /** How long the starts a call's allocation calls for wait for its answer to be written (about 0.3 ms here). */
    private static final Duration ANSWER_FIRST = Duration.ofMillis(5);

    private volatile PoolConfig config;
    private final InterpreterFactory factory;
    private final Clock clock;
    private volatile PoolListener listener = PoolListener.NONE;
    private volatile SessionBook book = SessionBook.NONE;
    /** Sessions a restarted server adopted, by identifier hash, until their identifier calls again. */
    private final Map<String, Adopted> adopted = new ConcurrentHashMap<>();

    private record Adopted(Interpreter interpreter, java.time.Instant createdAt, java.time.Instant adoptedAt) {}
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Interpreter> ready = new ConcurrentLinkedDeque<>();
    private final Semaphore startSlots;
    private final Object lock = new Object();
    private int starting; // guarded by lock
    private volatile long refillPausedUntilNanos;
    /** Why the last sandbox start failed, until one succeeds: what the pool reports as its failed state. */
    private volatile String lastStartFailure;
    private volatile boolean closed;
    private final LivenessMonitor liveness = new LivenessMonitor();

    /** Starts interpreters for this pool's sessions, as the pool is configured at that moment. */
    @FunctionalInterface
    public interface InterpreterFactory {
        Interpreter start(PoolConfig config) throws IOException;
    }

    public SessionPool(PoolConfig config, InterpreterFactory factory, Clock clock, int parallelStarts) {
        this.config = config;
        this.factory = factory;
        this.clock = clock;
        this.startSlots = new Semaphore(parallelStarts);
    }

    public String name() {
        return config.name();
    }

    public void listener(PoolListener listener) {
        this.listener = listener;
    }

    /** Reports one proxied request's traffic to the pool's listener. */
    public void reportProxied(long toContainer, long fromContainer) {
        listener.proxied(name(), toContainer, fromContainer);
    }

    public void book(SessionBook book) {
        this.book = book;
    }

    /** Takes back a session whose sandbox outlived the previous server process. */
    public void adopt(String identifierHash, Interpreter interpreter, java.time.Instant createdAt) {
        adopted.put(identifierHash, new Adopted(interpreter, createdAt, clock.instant()));
    }

    public PoolConfig config() {
        return config;
    }

    /** Runs code in the identifier's session, allocating one first if the identifier is new. */
    public ExecutionResult execute(String identifier, ExecutionRequest request) {
        for (int attempt = 0; ; attempt++) {
            Allocated allocated = allocate(identifier);
            Session session = allocated.session();
            try {
                long queued = System.nanoTime();
                ExecutionResult result;
                try {
                    result = session.execute(request);
                } finally {
                    // the refill a new session calls for starts once its first execution is answered:
                    // on a small machine a sandbox start would otherwise compete with that execution
                    if (allocated.fresh()) {
                        refillAfterAnswer();
                    }
                }
                Duration total = Duration.ofNanos(System.nanoTime() - queued);
                Duration waited = total.minusMillis(result.durationMillis());
                listener.executionFinished(name(), identifier, result, waited.isNegative() ? Duration.ZERO : waited);
                return result;
            } catch (Session.SessionClosedException e) {
                if (attempt > 2) {
                    throw new SessionStartException("the session was ended repeatedly while waiting", e);
                }
            } catch (RuntimeException e) {
                releaseIfEmpty(session);
                throw e;
            }
        }
    }

    /** The identifier's /mnt/data, held for the caller (who closes it), allocating a session first if need be. */
    public dev.sandpool.sandbox.HeldDirectory openData(String identifier) throws java.io.IOException {
        return sandbox(identifier).openData();
    }

    /** The identifier's running sandbox, allocating a session first if need be. */
    public dev.sandpool.sandbox.Sandbox sandbox(String identifier) {
        for (int attempt = 0; ; attempt++) {
            Session session = acquire(identifier);
            try {
                if (endedByExit(session)) {
                    throw new Session.SessionClosedException();
                }
                return session.sandbox();
            } catch (Session.SessionClosedException e) {
                if (attempt > 2) {
                    throw new SessionStartException("the session was ended repeatedly while waiting", e);
                }
            } catch (RuntimeException e) {
                releaseIfEmpty(session);
                throw e;
            }
        }
    }

    /**
     * A session whose sandbox could not be started (or recorded) holds no state and no sandbox:
     * it gives its place in the pool back rather than wait for its cooldown, unless another call
     * on it is under way and may yet start one.
     */
    private void releaseIfEmpty(Session session) {
        if (session.interpreterOrNull() == null && session.idleSince(java.time.Instant.MAX)) {
            end(session, PoolListener.EndReason.START_FAILED);
        }
    }

    /** The identifier's session, allocated on first use. */
    public Session acquire(String identifier) {
        Allocated allocated = allocate(identifier);
        if (allocated.fresh()) {
            refillAfterAnswer();
        }
        return allocated.session();
    }

    /** A session, and whether this call allocated it (and so may have taken a ready one to replace). */
    private record Allocated(Session session, boolean fresh) {}

    /** {@link #acquire} without the refill a fresh session calls for: the caller refills. */
    private Allocated allocate(String identifier) {
        Identifiers.validateKey(identifier);
        Session session = sessions.get(identifier);
        if (session != null) {
            session.touch();
            return new Allocated(session, false);
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("pool " + name() + " is shut down");
            }
            session = sessions.get(identifier);
            // one SHA-256 per new session: it finds an adopted sandbox, and it keys the registry row
            String hash = session == null ? Identifiers.hash(name(), identifier) : null;
            Adopted back = hash != null && !adopted.isEmpty() ? adopted.remove(hash) : null;
            if (back != null) {
                session = newSession(identifier, hash, back.interpreter(), back.createdAt());
                sessions.put(identifier, session);
            } else if (session == null) {
                if (sessions.size() + adopted.size() >= config.maxConcurrentSessions()) {
                    listener.poolFull(name());
                    throw new PoolFullException(name(), config.maxConcurrentSessions());
                }
                Interpreter ready = takeReady();
                session = newSession(identifier, hash, ready, clock.instant());
                if (ready != null) {
                    try {
                        book.bound(name(), hash, ready.sandbox().handle(), session.createdAt());
                    } catch (RuntimeException e) {
                        // not recorded, not allocated: the untouched sandbox goes back for the next identifier
                        this.ready.addFirst(ready);
                        throw e;
                    }
                }
                sessions.put(identifier, session);
                listener.sessionAllocated(name(), identifier, ready != null);
                LOG.debug("pool {}: allocated a session ({} allocated, {} ready)", name(), sessions.size(), this.ready.size());
            }
        }
        return new Allocated(session, true);
    }

    /**
     * Applies a new configuration to new sessions. Allocated sessions are never ended by it, even
     * when the maximum drops below their number; ready sandboxes started under the old settings
     * are replaced when what a sandbox is made of changed, and trimmed when there are too many.
     */
    public void reconfigure(PoolConfig updated) {
        PoolConfig previous;
        List<Interpreter> stale = new java.util.ArrayList<>();
        synchronized (lock) {
            previous = config;
            config = updated;
            boolean remake = !previous.memory().equals(updated.memory()) || !previous.cpu().equals(updated.cpu())
                    || !previous.preload().equals(updated.preload())
                    || !java.util.Objects.equals(previous.container(), updated.container())
                    || previous.networkStatus() != updated.networkStatus()
                    || previous.isolation() != updated.isolation()
                    || !previous.egressAllowList().equals(updated.egressAllowList());
            int target = readyTarget();
            Interpreter interpreter;
            while ((remake || ready.size() > target) && (interpreter = ready.poll()) != null) {
                stale.add(interpreter);
            }
        }
        stale.forEach(Interpreter::close);
        refill();
    }

    private Session newSession(String identifier, String hash, Interpreter interpreter, java.time.Instant createdAt) {
        return new Session(identifier, interpreter, this::startForSession, clock, createdAt,
                started -> book.bound(name(), hash, started.sandbox().handle(), createdAt));
    }

    public Optional<Session> find(String identifier) {
        return Optional.ofNullable(sessions.get(identifier));
    }

    /** Destroys the identifier's session; false when there was none. */
    public boolean delete(String identifier) {
        Adopted back = adopted.remove(Identifiers.hash(name(), identifier));
        if (back != null) {
            back.interpreter().close();
            book.unbound(name(), Identifiers.hash(name(), identifier), back.interpreter().sandbox().id());
            return true;
        }
        Session session = sessions.remove(identifier);
        if (session == null) {
            return false;
        }
        String sandboxId = session.etag();
        session.close();
        book.unbound(name(), Identifiers.hash(name(), identifier), sandboxId);
        listener.sessionEnded(name(), identifier, PoolListener.EndReason.DELETED);
        refill();
        return true;
    }

    public int allocatedCount() {
        return sessions.size();
    }

    public int readyCount() {
        return ready.size();
    }

    /** Why sandboxes cannot be started now (an image that cannot be pulled, say); empty when they can. */
    public Optional<String> startFailure() {
        return Optional.ofNullable(lastStartFailure);
    }

    /** Ready sandboxes being started now. */
    public int startingCount() {
        synchronized (lock) {
            return starting;
        }
    }

    public Collection<Session> sessions() {
        return sessions.values();
    }

    /** The running sandbox of the session whose etag (sandbox id) this is. */
    public Optional<dev.sandpool.sandbox.Sandbox> sandboxByEtag(String etag) {
        return sessions.values().stream().map(Session::interpreterOrNull).filter(java.util.Objects::nonNull)
                .map(Interpreter::sandbox).filter(s -> s.id().equals(etag)).findFirst();
    }

    /** Keeps every sandbox's console output of this pool within about twice {@code maxBytes}. */
    public void rotateConsoles(long maxBytes) {
        for (Session session : sessions.values()) {
            Interpreter interpreter = session.interpreterOrNull();
            if (interpreter != null) {
                interpreter.sandbox().rotateConsole(maxBytes);
            }
        }
        ready.forEach(interpreter -> interpreter.sandbox().rotateConsole(maxBytes));
    }

    /** Destroys sessions that have been idle for longer than the cooldown (Timed pools). */
    public void reapIdle() {
        if (onContainerExit()) {
            reapExited();
            return;
        }
        var cutoff = clock.instant().minusSeconds(config.cooldownPeriodInSeconds());
        for (Session session : sessions.values()) {
            if (session.idleSince(cutoff)) {
                end(session, PoolListener.EndReason.EXPIRED);
            }
        }
        endAdopted(back -> back.adoptedAt().isBefore(cutoff));
        refill();
    }

    /** Ends the re-adopted sessions, not yet claimed by their identifiers, that {@code over} says are over. */
    private void endAdopted(java.util.function.Predicate<Adopted> over) {
        adopted.forEach((hash, back) -> {
            if (over.test(back) && adopted.remove(hash, back)) {
                back.interpreter().close();
                book.unbound(name(), hash, back.interpreter().sandbox().id());
            }
        });
    }

    private boolean onContainerExit() {
        var container = config.container();
        return container != null && container.lifecycle() == dev.sandpool.config.CustomContainerConfig.Lifecycle.OnContainerExit;
    }

    /** In an OnContainerExit pool, a session ends with its container's main process, or after its maximum lifetime. */
    private void reapExited() {
        var oldest = clock.instant().minusSeconds(config.container().maxAlivePeriodInSeconds());
        for (Session session : sessions.values()) {
            if (!endedByExit(session) && session.createdAt().isBefore(oldest)) {
                end(session, PoolListener.EndReason.MAX_ALIVE);
            }
        }
        endAdopted(back -> !back.interpreter().isAlive() || back.createdAt().isBefore(oldest));
        refill();
    }

    /** Ends the session if it is in an OnContainerExit pool and its container has exited; true if so. */
    private boolean endedByExit(Session session) {
        Interpreter interpreter = session.interpreterOrNull();
        if (!onContainerExit() || interpreter == null || interpreter.isAlive()) {
            return false;
        }
        end(session, PoolListener.EndReason.CONTAINER_EXITED);
        return true;
    }

    private void end(Session session, PoolListener.EndReason reason) {
        if (sessions.remove(session.identifier(), session)) {
            LOG.debug("pool {}: ending a session ({})", name(), reason);
            String sandboxId = session.etag();
            session.close();
            book.unbound(name(), Identifiers.hash(name(), session.identifier()), sandboxId);
            listener.sessionEnded(name(), session.identifier(), reason);
        }
    }

    /**
     * Runs the pool's liveness probe where it is due, on allocated and ready containers alike, and
     * drops ready sandboxes that died while waiting. A container failing its probe is ended: a ready
     * one is replaced by the refill, an allocated one when its identifier next calls (Timed), or its
     * session ends (OnContainerExit).
     */
    public void checkHealth() {
        ready.removeIf(interpreter -> {
            if (interpreter.isAlive()) {
                return false;
            }
            interpreter.close();
            return true;
        });
        var container = config.container();
        var probe = container == null ? Optional.<dev.sandpool.config.ProbeConfig>empty()
                : container.probe(dev.sandpool.config.ProbeConfig.Type.Liveness);
        if (probe.isPresent()) {
            List<Interpreter> live = new java.util.ArrayList<>(ready);
            sessions.values().stream().map(Session::interpreterOrNull).filter(java.util.Objects::nonNull).forEach(live::add);
            liveness.check(live, new dev.sandpool.interpreter.ContainerProbe(probe.get(), container.targetPort()), this::unhealthy);
        }
        refill();
    }

    private void unhealthy(Interpreter interpreter, String why) {
        LOG.warn("pool {}: a container failed its liveness probe, replacing it: {}", name(), why);
        listener.livenessFailed(name(), why);
        if (ready.remove(interpreter)) {
            interpreter.close();
        } else {
            for (Session session : sessions.values()) {
                if (session.interpreterOrNull() == interpreter) {
                    if (onContainerExit()) {
                        end(session, PoolListener.EndReason.CONTAINER_EXITED);
                    } else {
                        interpreter.close();
                    }
                }
            }
        }
        refill();
    }

    /** Starts ready interpreters in the background until the target is met. */
    public void refill() {
        refill(Duration.ZERO);
    }

    /**
     * The refill a call that took a ready session calls for. Its starts wait a moment, so that the
     * call's answer is on its way first: a start begun at once competed with it for the CPU, and on
     * a two-core machine took allocation plus first execution from 1.8 to 3.7 ms.
     */
    private void refillAfterAnswer() {
        refill(ANSWER_FIRST);
    }

    private void refill(Duration delay) {
        if (System.nanoTime() < refillPausedUntilNanos) {
            return;
        }
        while (true) {
            synchronized (lock) {
                int target = readyTarget();
                if (closed || ready.size() + starting >= target) {
                    return;
                }
                starting++;
            }
            Thread.ofVirtual().name("refill-" + name()).start(() -> {
                if (delay.isPositive()) {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                startReady();
            });
        }
    }

    private void startReady() {
        Interpreter interpreter = null;
        try {
            interpreter = ScopedValue.where(SandboxRuntime.BACKGROUND_START, true).call(this::startInBackground);
        } catch (RuntimeException e) {
            // startWithSlot has reported the failure already
            if (!closed) {
                LOG.warn("pool {}: could not start a ready session: {}", name(), e.getMessage());
            }
            refillPausedUntilNanos = System.nanoTime() + START_RETRY_DELAY.toNanos();
        } finally {
            boolean keep;
            synchronized (lock) {
                starting--;
                // the target may have dropped (a PATCH, new allocations) while this one started
                keep = interpreter != null && !closed && ready.size() < readyTarget();
                if (keep) {
                    ready.add(interpreter);
                }
            }
            if (!keep && interpreter != null) {
                interpreter.close();
            }
        }
    }

    /** A ready session nobody waits for: it starts on the CPU time live sessions leave over. */
    private Interpreter startInBackground() {
        Interpreter interpreter = startWithSlot();
        try {
            interpreter.sandbox().foreground();
            return interpreter;
        } catch (RuntimeException e) {
            interpreter.close();
            throw e;
        }
    }

    /** Ready sandboxes wanted now: the configured count, within what the maximum leaves. Caller holds the lock. */
    private int readyTarget() {
        return Math.max(0, Math.min(config.readySessionInstances(),
                config.maxConcurrentSessions() - sessions.size() - adopted.size()));
    }

    private Interpreter takeReady() {
        Interpreter interpreter;
        while ((interpreter = ready.poll()) != null) {
            if (interpreter.isAlive()) {
                return interpreter;
            }
            interpreter.close();
        }
        return null;
    }

    /** A session found no ready interpreter, or lost its own: take one now or start one on the spot. */
    private Interpreter startForSession() {
        Interpreter interpreter = takeReady();
        refillAfterAnswer();
        return interpreter != null ? interpreter : startWithSlot();
    }

    private Interpreter startWithSlot() {
        try {
            startSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStartException("interrupted while waiting to start a session", e);
        }
        long started = System.nanoTime();
        try {
            Interpreter interpreter = factory.start(config);
            lastStartFailure = null;
            listener.sandboxStarted(name(), Duration.ofNanos(System.nanoTime() - started));
            return interpreter;
        } catch (IOException | RuntimeException e) { // a cgroup that cannot be removed, no uid left: a failed start too
            if (!closed) { // a start cut short by the pool's shutdown is no failure
                lastStartFailure = e.getMessage();
                listener.sandboxStartFailed(name(), e);
            }
            throw new SessionStartException("could not start a session in pool '" + name() + "': " + e.getMessage(), e);
        } finally {
            startSlots.release();
        }
    }

    /**
     * Stops using the pool but leaves allocated sessions running, registered for the next server
     * process; ready sandboxes, which nobody can be waiting for, are ended.
     */
    public void detach() {
        synchronized (lock) {
            closed = true;
        }
        sessions.values().forEach(Session::detach);
        sessions.clear();
        adopted.values().forEach(back -> back.interpreter().detach());
        adopted.clear();
        Interpreter interpreter;
        while ((interpreter = ready.poll()) != null) {
            interpreter.close();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        sessions.values().forEach(s -> {
            String sandboxId = s.etag();
            s.close();
            book.unbound(name(), Identifiers.hash(name(), s.identifier()), sandboxId);
            listener.sessionEnded(name(), s.identifier(), PoolListener.EndReason.SHUTDOWN);
        });
        sessions.clear();
        adopted.forEach((hash, back) -> {
            back.interpreter().close();
            book.unbound(name(), hash, back.interpreter().sandbox().id());
        });
        adopted.clear();
        Interpreter interpreter;
        while ((interpreter = ready.poll()) != null) {
            interpreter.close();
        }
    }
}
