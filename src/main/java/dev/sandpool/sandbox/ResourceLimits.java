package dev.sandpool.sandbox;

import dev.sandpool.config.DataSize;

/** What one sandbox may use: memory (RAM, swap not allowed), CPU cores, and processes plus threads. */
public record ResourceLimits(DataSize memory, double cpu, int pids) {
    public static final long CPU_PERIOD_US = 100_000;
    /**
     * Most a session's TCP buffers may hold. The host's TCP allowance (net.ipv4.tcp_mem, about 2.2
     * GiB on a 24 GiB machine) is shared by every network namespace, and past it every socket on the
     * host, the server's own included, is starved: at this cap it takes about 35 sessions to get there.
     */
    static final long TCP_BUFFER_CAP = 64L << 20;

    /**
     * What the session's TCP buffers may hold: its memory limit, up to {@link #TCP_BUFFER_CAP}. cgroup v2
     * charges them to the memory limit itself; v1 counts them apart, and only in a group given a
     * limit of its own (without one, a 128Mi session held 2.3 GiB of them: SocketBuffersTest).
     */
    public long tcpBufferBytes() {
        return Math.min(memory.bytes(), TCP_BUFFER_CAP);
    }

    public long cpuQuotaMicros() {
        return Math.max(1_000, Math.round(cpu * CPU_PERIOD_US));
    }
}
