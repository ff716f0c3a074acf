package dev.sandpool.cli;

import java.io.PrintWriter;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** Polls a pool until its ready sessions are there, with progress on stderr. */
final class PoolWait {
    private static final Duration INTERVAL = Duration.ofMillis(500);

    private PoolWait() {}

    /** The pool's resource once ready; a {@code Timeout} error after {@code timeoutSeconds}. */
    static JsonNode untilReady(ApiClient api, String name, int timeoutSeconds, PrintWriter progress) {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String last = "";
        while (true) {
            JsonNode pool = api.json("GET", PoolCommands.path(name), null);
            JsonNode p = pool.path("properties");
            JsonNode status = p.path("templateUpdateStatus").path("activeTemplate").path("status");
            int expected = status.path("expectedCount").asInt(0);
            int ready = status.path("readyCount").asInt(0);
            int pending = status.path("pendingCount").asInt(0);
            int allocated = status.path("allocatedCount").asInt(0);
            int max = p.path("scaleConfiguration").path("maxConcurrentSessions").asInt(Integer.MAX_VALUE);
            // Ready sessions count against the maximum: with many allocated, fewer than expected can
            // ever be ready, and waiting for more would only end in the timeout.
            int reachable = Math.min(expected, Math.max(0, max - allocated));
            String line = "pool " + name + ": ready " + ready + "/" + expected
                    + (pending > 0 ? ", starting " + pending : "") + (allocated > 0 ? ", allocated " + allocated : "");
            if (!line.equals(last)) {
                progress.println(line);
                progress.flush();
                last = line;
            }
            if (ready >= reachable) {
                return pool;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("Timeout", "pool " + name + " has " + ready + "/" + expected
                        + " ready sessions after " + timeoutSeconds + " s (it keeps filling in the background)",
                        CliException.FAILED);
            }
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("Interrupted", "interrupted while waiting for pool " + name, CliException.FAILED);
            }
        }
    }
}
