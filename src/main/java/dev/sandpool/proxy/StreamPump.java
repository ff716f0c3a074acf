package dev.sandpool.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a stream through one bounded buffer and flushes whenever the source pauses
 * ({@code available() == 0}). A plain {@code transferTo} would leave whatever sits in the server's
 * response buffer there until the buffer fills, so server-sent events would arrive all at once at
 * the end (java-stack.md §2.3).
 */
final class StreamPump {
    /** Per direction and request: memory per proxied request stays small and fixed, whatever the body size. */
    static final int BUFFER_SIZE = 32 * 1024;

    /** Reading the source failed (not writing the sink): tells a dead backend from a gone client. */
    static final class SourceException extends IOException {
        SourceException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private StreamPump() {}

    /** Copies until the source ends; returns the byte count. The sink is flushed, not closed. */
    static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        long total = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new SourceException(e);
            } catch (RuntimeException e) {
                // Helidon reports a failed request-body read unchecked
                throw new SourceException(new IOException(e.getMessage(), e));
            }
            if (n < 0) {
                out.flush();
                return total;
            }
            out.write(buffer, 0, n);
            total += n;
            if (available(in) == 0) {
                out.flush();
            }
        }
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            return 0; // the next read reports the failure
        }
    }
}
