package dev.sandpool.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Where blocking reads of a launch's FIFOs run: on platform threads, never virtual ones. A virtual
 * thread blocked in a FIFO read sits in native code, pinning its carrier, and closing the channel
 * does not wake it (only platform threads are signalled); since we hold the FIFO's write end too,
 * it never sees EOF either. One such reader per failed launch took a carrier for good, and with
 * two carriers the whole server stalled.
 */
final class FifoReads {
    private static final ExecutorService READERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("fifo-reader-", 0).factory());

    private FifoReads() {}

    static <T> CompletableFuture<T> supply(Supplier<T> read) {
        return CompletableFuture.supplyAsync(read, READERS);
    }
}
