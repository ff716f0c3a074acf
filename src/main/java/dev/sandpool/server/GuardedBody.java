package dev.sandpool.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A request body as handlers read it, safe against clients that stall or break the framing.
 * Every read (and the drain on close) must return within a timeout; one that does not is ended by
 * interrupting the reading thread, which closes the connection's socket channel (the server reads
 * on one virtual thread per connection), and fails with {@link SocketTimeoutException}. Once a read
 * failed, the framing is lost: {@code onBroken} runs (it asks for the connection to be closed) and
 * closing the stream no longer tries to drain the rest, which could wait forever.
 */
final class GuardedBody extends FilterInputStream {
    private final Duration timeout;
    private final ScheduledExecutorService timer;
    private final Runnable onBroken;
    private Thread reader;
    private boolean expired;
    private boolean broken;

    GuardedBody(InputStream in, Duration timeout, ScheduledExecutorService timer, Runnable onBroken) {
        super(in);
        this.timeout = timeout;
        this.timer = timer;
        this.onBroken = onBroken;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return guarded(() -> super.read(b, off, len));
    }

    @Override
    public long skip(long n) throws IOException {
        // FilterInputStream.skip would bypass the guard
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public void close() throws IOException {
        if (!broken) {
            guarded(() -> {
                super.close();
                return 0;
            });
        }
    }

    private interface Read {
        int run() throws IOException;
    }

    private int guarded(Read read) throws IOException {
        ScheduledFuture<?> deadline = arm();
        int n;
        try {
            n = read.run();
        } catch (IOException | RuntimeException e) {
            broken();
            if (disarm(deadline)) {
                throw timedOut(e);
            }
            throw e;
        }
        if (disarm(deadline)) {
            broken();
            throw timedOut(null);
        }
        return n;
    }

    private void broken() {
        if (!broken) {
            broken = true;
            onBroken.run();
        }
    }

    private synchronized ScheduledFuture<?> arm() {
        reader = Thread.currentThread();
        return timer.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void expire() {
        if (reader != null) {
            expired = true;
            reader.interrupt();
        }
    }

    /** Ends the current read; true when its deadline had passed (the interrupt is then cleared). */
    private synchronized boolean disarm(ScheduledFuture<?> deadline) {
        deadline.cancel(false);
        reader = null;
        if (expired) {
            expired = false;
            Thread.interrupted();
            return true;
        }
        return false;
    }

    private SocketTimeoutException timedOut(Exception cause) {
        SocketTimeoutException e = new SocketTimeoutException(
                "the client sent no more of the request body for " + timeout.toMillis() + " ms");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
