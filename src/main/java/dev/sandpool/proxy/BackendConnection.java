package dev.sandpool.proxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One connection to the backend, used for one exchange. The request body is sent from its own
 * virtual thread while the caller's thread waits for the response, so a backend that answers while
 * it reads (an echo, an early 413) never deadlocks against a proxy that is still writing.
 */
final class BackendConnection implements Closeable {
    /** The backend did not start its answer in time. */
    static final class BackendTimeoutException extends IOException {
        BackendTimeoutException(String message) {
            super(message);
        }
    }

    final Socket socket;
    final BufferedInputStream in;
    private final OutputStream out;
    private Thread sender;
    private volatile long lastProgress = System.nanoTime();
    private volatile Throwable clientFailure;

    private BackendConnection(Socket socket) throws IOException {
        this.socket = socket;
        // the JDK's default sizes: the input buffer (8 KiB) is made on the first read, the output one
        // starts at 512 bytes on a virtual thread and grows when needed; reads and writes of whole
        // pump buffers bypass both. Two fixed 16 KiB buffers were most of what a request allocated.
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    static BackendConnection open(Dialer dialer, Duration connectTimeout) throws IOException {
        Socket socket = dialer.connect(connectTimeout);
        if (socket == null || !socket.isConnected()) {
            throw new IOException("the dialer returned no connected socket");
        }
        try {
            socket.setTcpNoDelay(true);
            return new BackendConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    void sendHead(byte[] head) throws IOException {
        out.write(head);
        out.flush();
        lastProgress = System.nanoTime();
    }

    /** Starts streaming the client's request body to the backend. */
    void sendBody(InputStream body, boolean chunked) {
        OutputStream progress = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                lastProgress = System.nanoTime();
            }

            @Override
            public void flush() throws IOException {
                out.flush();
                lastProgress = System.nanoTime();
            }
        };
        sender = Thread.ofVirtual().name("sandpool-proxy-request-body").start(() -> {
            try {
                if (chunked) {
                    ChunkedOutputStream chunks = new ChunkedOutputStream(progress);
                    StreamPump.copy(body, chunks);
                    chunks.finish();
                } else {
                    StreamPump.copy(body, progress);
                }
            } catch (StreamPump.SourceException e) {
                // the client's upload failed: nothing sensible can reach the backend any more
                Throwable cause = e.getCause();
                clientFailure = cause.getCause() instanceof RuntimeException r ? r : cause;
                closeQuietly();
            } catch (IOException e) {
                // the backend stopped reading; it may still answer (413, or an early error), so
                // the response side decides what happens
            } finally {
                lastProgress = System.nanoTime();
            }
        });
    }

    boolean sendingBody() {
        return sender != null && sender.isAlive();
    }

    /** What made the client's upload fail, if it did; it goes back to Helidon rather than becoming a 502. */
    Throwable clientFailure() {
        return clientFailure;
    }

    /**
     * Waits for the response head, skipping interim 1xx answers other than 101. The timeout counts
     * from the last progress of the request: its head, or the last body bytes the backend took.
     */
    ResponseHead awaitHead(Duration timeout) throws IOException {
        long limit = timeout.toNanos();
        while (true) {
            awaitFirstByte(limit);
            socket.setSoTimeout(millis(limit));
            ResponseHead head;
            try {
                head = ResponseHead.read(in);
            } catch (SocketTimeoutException e) {
                throw new BackendTimeoutException("the backend did not complete its response head in time");
            }
            if (head.status() >= 200 || head.status() == 101) {
                socket.setSoTimeout(0); // a body may pause for as long as it likes (event streams)
                return head;
            }
            lastProgress = System.nanoTime();
        }
    }

    private void awaitFirstByte(long limit) throws IOException {
        while (true) {
            long idle = System.nanoTime() - lastProgress;
            if (idle >= limit) {
                throw new BackendTimeoutException("the backend did not answer in time");
            }
            socket.setSoTimeout(millis(limit - idle));
            try {
                in.mark(1);
                if (in.read() < 0) {
                    throw new EOFException("the backend closed the connection before sending a status line");
                }
                in.reset();
                return;
            } catch (SocketTimeoutException e) {
                // check again: the request body may have made progress meanwhile
            }
        }
    }

    private static int millis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(nanos).toMillis()));
    }

    /**
     * Closes the connection and stops the body sender. A sender blocked reading a stalled client is
     * interrupted, which closes the client's connection too: the answer is already given.
     */
    @Override
    public void close() {
        closeQuietly();
        Thread thread = sender;
        if (thread != null && thread != Thread.currentThread()) {
            try {
                if (!thread.join(Duration.ofSeconds(1))) {
                    thread.interrupt();
                    thread.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
