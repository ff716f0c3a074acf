package dev.sandpool.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens TCP connections to 127.0.0.1 inside a sandbox's network namespace, so that a session's
 * server is reached with no port opened on the host. A few dedicated platform threads each enter
 * the target namespace with setns, make and bind a socket there, and go back to the host's; a
 * socket keeps the namespace it was made in, so the caller (even a virtual thread) then connects
 * and uses it normally. The connect happens on the caller's thread: a server whose backlog is full
 * drops SYNs, and a retransmission waiting a second must not hold one of the few dialer threads.
 *
 * <p>One trip into a namespace makes a few sockets, and the next connections to that sandbox take
 * the spares: a trip (a hand-off to a dialer thread and two setns calls) costs more than the
 * connection itself, and a proxied session's clients dial once per request. Spares are kept per
 * sandbox (its init's pid and start time, so a reused pid never gets another's) until
 * {@link #forget} at its end.
 */
public final class NamespaceDialer implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int BATCH = 4;
    private final Map<String, Deque<Socket>> spares = new ConcurrentHashMap<>();
    private final int hostNamespace;
    private final ExecutorService threads;

    public NamespaceDialer(int threadCount) throws IOException {
        this.hostNamespace = LibC.openReadOnly(Path.of("/proc/self/ns/net"));
        this.threads = Executors.newFixedThreadPool(threadCount,
                Thread.ofPlatform().daemon().name("netns-dialer-", 0).factory());
    }

    /**
     * Connects to {@code 127.0.0.1:port} in the network namespace of process {@code pid}, which
     * started at {@code startTicks}.
     */
    public Socket connect(long pid, long startTicks, int port, Duration timeout) throws IOException {
        Deque<Socket> kept = spares.get(key(pid, startTicks));
        Socket spare = kept == null ? null : kept.poll();
        Socket socket = spare != null ? spare : socketInside(pid, startTicks, timeout);
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Closes the spare sockets of a sandbox that ended: they would keep its namespace alive. */
    public void forget(long pid, long startTicks) {
        Deque<Socket> kept = spares.remove(key(pid, startTicks));
        Socket socket;
        while (kept != null && (socket = kept.poll()) != null) {
            closeQuietly(socket);
        }
    }

    private static String key(long pid, long startTicks) {
        return pid + "/" + startTicks;
    }

    private Socket socketInside(long pid, long startTicks, Duration timeout) throws IOException {
        List<Socket> sockets = inside(pid, timeout, NamespaceDialer::bindBatch);
        Deque<Socket> kept = spares.computeIfAbsent(key(pid, startTicks), k -> new ConcurrentLinkedDeque<>());
        for (Socket extra : sockets.subList(1, sockets.size())) {
            if (kept.size() < BATCH) {
                kept.add(extra);
            } else {
                closeQuietly(extra); // another caller's trip filled the spares meanwhile
            }
        }
        return sockets.getFirst();
    }

    /** What a dialer thread does inside a sandbox's network namespace. */
    @FunctionalInterface
    interface Inside<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} on a dialer thread moved into the network namespace of process {@code pid}:
     * what it creates there (a socket) keeps that namespace once the thread has gone back.
     */
    <T> T inside(long pid, Duration timeout, Inside<T> work) throws IOException {
        Future<T> done = threads.submit(() -> {
            int target = LibC.openReadOnly(Path.of("/proc/" + pid + "/ns/net"));
            try {
                LibC.setns(target, CLONE_NEWNET);
                try {
                    return work.run();
                } finally {
                    // a dialer thread left in a sandbox's namespace would dial the wrong network next time
                    LibC.setns(hostNamespace, CLONE_NEWNET);
                }
            } finally {
                LibC.closeFd(target);
            }
        });
        try {
            return done.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new IOException("no socket in the sandbox's network within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", e);
        }
    }

    private static List<Socket> bindBatch() throws IOException {
        List<Socket> made = new ArrayList<>(BATCH);
        try {
            while (made.size() < BATCH) {
                Socket socket = new Socket();
                made.add(socket);
                socket.bind(new InetSocketAddress("127.0.0.1", 0)); // makes the socket, here
            }
            return made;
        } catch (IOException e) {
            made.forEach(NamespaceDialer::closeQuietly);
            throw e;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // an unconnected socket: nothing to lose
        }
    }

    @Override
    public void close() {
        spares.values().forEach(kept -> kept.forEach(NamespaceDialer::closeQuietly));
        spares.clear();
        threads.shutdownNow();
        LibC.closeFd(hostNamespace);
    }
}
