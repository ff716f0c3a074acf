package dev.sandpool.interpreter;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server's end of a driver's Unix socket: length-prefixed JSON frames. A read that outlives
 * its deadline is ended by closing the channel, which is how a blocking read on a channel is
 * interrupted.
 */
final class DriverConnection implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    /** The hello and pings are small; a larger answer before an execution is not a driver's. */
    private static final int SMALL_FRAME = 64 << 10;
    private static final ScheduledExecutorService WATCHDOG = DeadlineTimer.create("driver-watchdog");

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile boolean deadlinePassed;

    private DriverConnection(SocketChannel channel) {
        this.channel = channel;
        InputStream raw = Channels.newInputStream(channel);
        OutputStream rawOut = Channels.newOutputStream(channel);
        this.in = new DataInputStream(new java.io.BufferedInputStream(raw, 64 * 1024));
        this.out = new DataOutputStream(new java.io.BufferedOutputStream(rawOut, 64 * 1024));
    }

    /**
     * Connects, retrying while the driver starts, and reads its hello. Between tries it waits for
     * something to appear in the socket's directory (the driver binding its socket), so a start
     * is not left waiting out a sleep: the watch is only made once a first try has failed, which
     * is never the case when adopting a running driver.
     */
    static DriverConnection open(Path socket, Duration timeout, java.util.function.BooleanSupplier stillStarting)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        DirectoryWatch appeared = null;
        long pause = 1;
        try {
            while (System.nanoTime() < deadline && stillStarting.getAsBoolean()) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    DriverConnection connection = new DriverConnection(channel);
                    JsonNode hello = connection.read(Duration.ofSeconds(10), SMALL_FRAME);
                    if (!"hello".equals(hello.path("op").asString())) {
                        throw new IOException("driver did not greet: " + hello);
                    }
                    return connection;
                } catch (IOException e) {
                    channel.close();
                    last = e;
                }
                if (appeared == null) {
                    appeared = DirectoryWatch.of(socket.getParent());
                    continue; // the socket may have appeared before the watch
                }
                // after an event the socket may exist but not listen yet: try again soon
                pause = appeared.await(pause) ? 1 : Math.min(pause * 2, 20);
            }
        } finally {
            if (appeared != null) {
                appeared.close();
            }
        }
        throw new IOException("driver did not answer on " + socket, last);
    }

    /**
     * Sends a request and reads its answer, refusing one longer than {@code maxFrame}: the driver runs
     * the session's code in its own process, so the frame is as hostile as that code, and is read
     * into the server's heap.
     */
    JsonNode call(ObjectNode request, Duration deadline, int maxFrame) throws IOException {
        byte[] body = JSON.writeValueAsBytes(request);
        out.writeInt(body.length);
        out.write(body);
        out.flush();
        return read(deadline, maxFrame);
    }

    private JsonNode read(Duration deadline, int maxFrame) throws IOException {
        ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
            deadlinePassed = true;
            closeQuietly();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            int length = in.readInt();
            if (length < 0 || length > maxFrame) {
                throw new OversizedFrameException(Integer.toUnsignedLong(length), maxFrame);
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new java.io.EOFException("driver closed mid-frame");
            }
            return JSON.readTree(body);
        } catch (IOException e) {
            if (deadlinePassed) {
                throw new DeadlineExceededException();
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is being dropped
        }
    }

    /** The driver's answer is longer than its output limit allows: the session's code wrote it. */
    static final class OversizedFrameException extends IOException {
        OversizedFrameException(long length, int maxFrame) {
            super("the session's answer was " + length + " bytes, more than its output limit allows (" + maxFrame + ")");
        }
    }

    /** The driver did not answer in time: the cell ignored its interrupt. */
    static final class DeadlineExceededException extends IOException {
        DeadlineExceededException() {
            super("driver did not answer before the deadline");
        }
    }
}
