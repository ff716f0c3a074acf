package dev.sandpool.proxy;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The client's connection after a passed-through upgrade: bytes pumped both ways between it and
 * the backend until either side closes. The backend-to-client direction runs on the connection's
 * thread; when it ends, Helidon closes the client's connection, which ends the other direction.
 * A client that closes its side first gets its close passed on as a half-close, so the backend can
 * still finish (a WebSocket close handshake).
 */
final class TunnelConnection implements ServerConnection {
    private final ConnectionContext ctx;
    private final BackendConnection backend;
    private volatile long lastActivity = System.nanoTime();

    TunnelConnection(ConnectionContext ctx, BackendConnection backend) {
        this.ctx = ctx;
        this.backend = backend;
    }

    @Override
    public void handle(Limit limit) {
        Thread.ofVirtual().name("sandpool-proxy-tunnel").start(this::clientToBackend);
        byte[] buffer = new byte[StreamPump.BUFFER_SIZE];
        try {
            int n;
            // bytes the backend sent right after its 101 are already in this buffered stream
            while ((n = backend.in.read(buffer)) >= 0) {
                if (n > 0) {
                    ctx.dataWriter().writeNow(BufferData.create(buffer, 0, n)); // blocking: the buffer is reusable after
                    lastActivity = System.nanoTime();
                }
            }
        } catch (IOException | RuntimeException e) {
            // either side went away; closing both below is all there is to do
        } finally {
            backend.closeQuietly();
        }
    }

    private void clientToBackend() {
        DataReader reader = ctx.dataReader(); // may hold bytes the client sent right after its request
        try {
            OutputStream out = backend.socket.getOutputStream();
            while (true) {
                BufferData data = reader.readBuffer();
                data.writeTo(out);
                out.flush();
                lastActivity = System.nanoTime();
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            try {
                backend.socket.shutdownOutput();
            } catch (IOException ignored) {
                backend.closeQuietly();
            }
        } catch (IOException | RuntimeException e) {
            backend.closeQuietly();
        }
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastActivity);
    }

    @Override
    public void close(boolean interrupt) {
        backend.closeQuietly(); // ends handle(), after which Helidon closes the client's side
    }
}
