package dev.sandpool.sandbox;

import java.nio.file.Path;

/** One running, isolated sandbox. Its life is not tied to the server process. */
public interface Sandbox extends AutoCloseable {
    /** Where sandboxes keep the driver's socket, inside: /run/sandpool. */
    String RUN_DIR_INSIDE = "/run/sandpool";
    /** The session's files, inside. */
    String DATA_DIR_INSIDE = "/mnt/data";

    String id();

    /** Host path of the directory the sandbox sees as /mnt/data. */
    Path dataDir();

    /** Host path of the directory the sandbox sees as /run/sandpool. */
    Path runDir();

    boolean isAlive();

    /**
     * True when the sandbox's processes fill (nearly) all of its pids limit: what a fork bomb leaves
     * behind, churning, after the cell that started it has returned.
     */
    boolean atProcessLimit();

    /** Why the sandbox is gone, in words for the user (for example: memory limit of 512Mi exceeded). */
    String deathReason();

    /** The last lines the sandbox's processes wrote before its driver took over fds 1 and 2. */
    String consoleTail();

    /** Kills every process of the sandbox and removes its cgroups, directories and uid. Idempotent. */
    @Override
    void close();
}
