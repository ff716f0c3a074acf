package dev.sandpool.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
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
 */
public final class NamespaceDialer implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private final int hostNamespace;
    private final ExecutorService threads;

    public NamespaceDialer(int threadCount) throws IOException {
        this.hostNamespace = LibC.openReadOnly(Path.of("/proc/self/ns/net"));
        this.threads = Executors.newFixedThreadPool(threadCount,
                Thread.ofPlatform().daemon().name("netns-dialer-", 0).factory());
    }

    /** Connects to {@code 127.0.0.1:port} in the network namespace of process {@code pid}. */
    public Socket connect(long pid, int port, Duration timeout) throws IOException {
        Socket socket = socketInside(pid, timeout);
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private Socket socketInside(long pid, Duration timeout) throws IOException {
        Future<Socket> made = threads.submit(() -> bindInside(pid));
        try {
            return made.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            made.cancel(true);
            throw new IOException("no socket in the sandbox's network within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", e);
        }
    }

    private Socket bindInside(long pid) throws IOException {
        int target = LibC.openReadOnly(Path.of("/proc/" + pid + "/ns/net"));
        try {
            LibC.setns(target, CLONE_NEWNET);
            try {
                Socket socket = new Socket();
                try {
                    socket.bind(new InetSocketAddress("127.0.0.1", 0)); // makes the socket, here
                    return socket;
                } catch (IOException e) {
                    socket.close();
                    throw e;
                }
            } finally {
                // a dialer thread left in a sandbox's namespace would dial the wrong network next time
                LibC.setns(hostNamespace, CLONE_NEWNET);
            }
        } finally {
            LibC.closeFd(target);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        LibC.closeFd(hostNamespace);
    }
}
