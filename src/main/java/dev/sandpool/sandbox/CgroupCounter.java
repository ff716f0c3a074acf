package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One key of a flat-keyed cgroup file that is read after every execution (pids.events). The file
 * stays open, and a read is one pread from offset 0, for which the kernel renders it afresh: an
 * open, reads and a close through the cgroup tree's path took a few percent of an execution's time.
 */
final class CgroupCounter implements AutoCloseable {
    private final Path file;
    private final String key;
    private FileChannel channel; // guarded by this
    private boolean closed; // guarded by this

    CgroupCounter(Path file, String key) {
        this.file = file;
        this.key = key;
    }

    /** The key's value; 0 when the group or the key is not (or no longer) there. */
    long read() {
        FileChannel open = channel();
        if (open == null) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.allocate(512);
        try {
            while (buffer.hasRemaining() && open.read(buffer, buffer.position()) > 0) {
                // a cgroup file renders in one read; the loop only guards against a short one
            }
        } catch (IOException e) {
            return 0; // the group was removed under an open file
        }
        return CgroupFiles.valueOf(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII), key);
    }

    private synchronized FileChannel channel() {
        if (channel == null && !closed) {
            try {
                channel = FileChannel.open(file);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return channel;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only cgroup file: nothing was written that could be lost
            }
            channel = null;
        }
    }
}
