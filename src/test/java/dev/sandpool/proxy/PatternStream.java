package dev.sandpool.proxy;

import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A deterministic byte stream of a given length that never exists as a whole in memory: a random
 * 64 KiB block whose first bytes carry the block's number, so a lost, repeated or reordered block
 * changes the CRC. The CRC of what was read is kept.
 */
final class PatternStream extends InputStream {
    private static final int BLOCK = 64 * 1024;
    private final long length;
    private final byte[] block = new byte[BLOCK];
    private final CRC32 crc = new CRC32();
    private long position;

    PatternStream(long length) {
        this.length = length;
        new SplittableRandom(42).nextBytes(block);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position == length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int done = 0; done < n; ) {
            long blockNumber = (position + done) / BLOCK;
            int inBlock = (int) ((position + done) % BLOCK);
            int take = Math.min(n - done, BLOCK - inBlock);
            System.arraycopy(block, inBlock, b, off + done, take);
            for (int i = 0; i < 8 && inBlock + i < BLOCK && i < take; i++) {
                if (inBlock + i < 8) {
                    b[off + done + i] ^= (byte) (blockNumber >>> (8 * (inBlock + i)));
                }
            }
            done += take;
        }
        crc.update(b, off, n);
        position += n;
        return n;
    }

    long crc() {
        return crc.getValue();
    }
}
