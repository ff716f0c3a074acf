package dev.sandpool.interpreter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a waiter when something is created in a directory: how a start learns that its driver has
 * bound its socket, instead of sleeping between connection attempts. One inotify instance serves
 * the whole server, because closing one waits for an RCU grace period (10 to 20 ms on our
 * machines), which a watch per start would add to every start.
 */
final class DirectoryWatch implements AutoCloseable {
    private static final Map<WatchKey, Semaphore> WAITERS = new ConcurrentHashMap<>();
    private static WatchService service;

    private final WatchKey key;
    private final Semaphore created;

    private DirectoryWatch(WatchKey key, Semaphore created) {
        this.key = key;
        this.created = created;
    }

    static DirectoryWatch of(Path dir) throws IOException {
        Semaphore created = new Semaphore(0);
        WatchKey key = dir.register(service(), StandardWatchEventKinds.ENTRY_CREATE);
        WAITERS.put(key, created);
        return new DirectoryWatch(key, created);
    }

    /** Whether something was created since the last call, waiting up to {@code millis} for it. */
    boolean await(long millis) throws IOException {
        try {
            boolean woken = created.tryAcquire(millis, TimeUnit.MILLISECONDS);
            created.drainPermits();
            return woken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while watching " + key.watchable());
        }
    }

    @Override
    public void close() {
        WAITERS.remove(key);
        key.cancel();
    }

    private static synchronized WatchService service() throws IOException {
        if (service == null) {
            service = FileSystems.getDefault().newWatchService();
            Thread.ofPlatform().daemon().name("directory-watch").start(DirectoryWatch::dispatch);
        }
        return service;
    }

    private static void dispatch() {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents();
                Semaphore created = WAITERS.get(key);
                if (created != null) {
                    created.release();
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // the server is going away
        }
    }
}
