package dev.sandpool.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes a {@code Transfer-Encoding: chunked} body (RFC 9112 §7.1): chunk extensions and trailer
 * fields are read and dropped. A body cut short is an {@link EOFException}, never a silent end.
 */
final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;
    private boolean inChunk;
    private boolean afterChunk;
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!inChunk && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the chunked body ended in the middle of a chunk");
        }
        remaining -= n;
        if (remaining == 0) {
            // the CRLF after the data is read with the next chunk, so that these bytes reach the
            // client now even if the backend pauses before writing it
            inChunk = false;
            afterChunk = true;
        }
        return n;
    }

    /**
     * What can be read without blocking, within the current chunk. Between chunks it is 0 even
     * when the next chunk is buffered, so a pump flushes there: a chunk boundary is where a
     * streaming backend (server-sent events) pauses.
     */
    @Override
    public int available() throws IOException {
        return inChunk ? (int) Math.min(remaining, in.available()) : 0;
    }

    private boolean nextChunk() throws IOException {
        if (done) {
            return false;
        }
        if (afterChunk) {
            crlf();
            afterChunk = false;
        }
        String line = ResponseHead.line(in);
        if (line == null) {
            throw new EOFException("the chunked body ended without its last chunk");
        }
        int semicolon = line.indexOf(';');
        String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        try {
            remaining = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new ResponseHead.MalformedResponseException("invalid chunk size");
        }
        if (remaining < 0 || size.isEmpty() || size.startsWith("+") || size.startsWith("-")) {
            throw new ResponseHead.MalformedResponseException("invalid chunk size");
        }
        if (remaining == 0) {
            skipTrailers();
            done = true;
            return false;
        }
        inChunk = true;
        return true;
    }

    private void crlf() throws IOException {
        String line = ResponseHead.line(in);
        if (line == null || !line.isEmpty()) {
            throw new ResponseHead.MalformedResponseException("a chunk is not followed by CRLF");
        }
    }

    private void skipTrailers() throws IOException {
        int count = 0;
        while (true) {
            String line = ResponseHead.line(in);
            if (line == null) {
                throw new EOFException("the chunked body ended inside its trailer section");
            }
            if (line.isEmpty()) {
                return;
            }
            if (++count > ResponseHead.MAX_FIELDS) {
                throw new ResponseHead.MalformedResponseException("too many trailer fields");
            }
        }
    }
}
