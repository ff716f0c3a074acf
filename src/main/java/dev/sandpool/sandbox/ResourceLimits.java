package dev.sandpool.sandbox;

import dev.sandpool.config.DataSize;

/** What one sandbox may use: memory (RAM, swap not allowed), CPU cores, and processes plus threads. */
public record ResourceLimits(DataSize memory, double cpu, int pids) {
    public static final long CPU_PERIOD_US = 100_000;

    public long cpuQuotaMicros() {
        return Math.max(1_000, Math.round(cpu * CPU_PERIOD_US));
    }
}
