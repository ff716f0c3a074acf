package dev.sandpool.sandbox;

import java.nio.file.Path;

/** One running, isolated sandbox. Its life is not tied to the server process. */
public interface Sandbox extends AutoCloseable {
    /** Where sandboxes keep the driver's socket, inside: /run/sandpool. */
    String RUN_DIR_INSIDE = "/run/sandpool";
    /** The session's files, inside. */
    String DATA_DIR_INSIDE = "/mnt/data";

    String id();

    /** How to find this sandbox again after a server restart. */
    SandboxHandle handle();

    /** Lets the sandbox run on without this server process: nothing is killed or removed. */
    void detach();

    /**
     * The directory the sandbox sees as /mnt/data, held for the caller, who closes it when done:
     * once the sandbox is settled, no host path leads there.
     */
    HeldDirectory openData() throws java.io.IOException;

    /** The directory the sandbox sees as /run/sandpool, as a path that is valid while the sandbox is open. */
    Path runDir();

    /**
     * Says that the sandbox's first program runs, so its set-up is done: the volume it bound need no
     * longer be mounted on the host, where every live session's mount would make each new sandbox's
     * start slower (bwrap copies and reads the whole mount table, about 0.1 ms per mount, several
     * times). The server keeps reaching the volume through descriptors it holds.
     */
    default void settle() throws java.io.IOException {}

    boolean isAlive();

    /**
     * How many forks the sandbox's process limit has refused so far. A rise across one execution
     * means a fork bomb (or a runaway pool of workers) whose survivors keep churning after the
     * cell returned.
     */
    long processLimitHits();

    /** A TCP connection to {@code 127.0.0.1:port} inside the sandbox; no host port is involved. */
    java.net.Socket connect(int port, java.time.Duration timeout) throws java.io.IOException;

    /** Whether the kernel's OOM killer has fired inside the sandbox. */
    boolean oomKilled();

    /** Why the sandbox is gone, in words for the user (for example: memory limit of 512Mi exceeded). */
    String deathReason();

    /** The last lines the sandbox's processes wrote before its driver took over fds 1 and 2. */
    String consoleTail();

    /**
     * The console output kept so far (custom containers write all of theirs there): the rotated
     * file, then the current one.
     */
    byte[] console() throws java.io.IOException;

    /**
     * Keeps the console within about twice {@code maxBytes} on disk: once the current file passes
     * it, it becomes the rotated one and a new current file starts. Writers append, so they go on
     * writing at the new end.
     */
    void rotateConsole(long maxBytes);

    /** Back to normal CPU priority, for a sandbox started in the background ({@link SandboxRuntime#BACKGROUND_START}). */
    default void foreground() {}

    /** Kills every process of the sandbox and removes its cgroups, directories and uid. Idempotent. */
    @Override
    void close();
}
