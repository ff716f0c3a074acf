package dev.sandpool.sandbox;

import java.util.BitSet;

/** Hands out host uids from a fixed range so that no two live sandboxes ever share one. */
public final class UidAllocator {
    private final int base;
    private final int count;
    private final BitSet used;
    private int next;

    public UidAllocator(int base, int count) {
        this.base = base;
        this.count = count;
        this.used = new BitSet(count);
    }

    /** Round-robin, so that a uid just released is the last to be reused. */
    public synchronized int acquire() {
        int free = used.nextClearBit(next);
        if (free >= count) {
            free = used.nextClearBit(0);
        }
        if (free >= count) {
            throw new IllegalStateException("all " + count + " sandbox uids from " + base + " are in use");
        }
        used.set(free);
        next = free + 1;
        return base + free;
    }

    /** Marks a uid of an adopted sandbox as taken; false when it is outside the range or already taken. */
    public synchronized boolean claim(int uid) {
        if (!owns(uid) || used.get(uid - base)) {
            return false;
        }
        used.set(uid - base);
        return true;
    }

    public synchronized void release(int uid) {
        used.clear(uid - base);
    }

    public boolean owns(int uid) {
        return uid >= base && uid < base + count;
    }

    public synchronized int inUse() {
        return used.cardinality();
    }
}
