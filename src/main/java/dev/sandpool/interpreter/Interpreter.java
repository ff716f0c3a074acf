package dev.sandpool.interpreter;

import dev.sandpool.sandbox.Sandbox;
import dev.sandpool.sandbox.SandboxRuntime;
import java.io.IOException;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A started interpreter: its sandbox and the connection to the driver inside. Callers run one
 * execution at a time. A cell that ignores its timeout interrupt for longer than the grace period,
 * or a sandbox that dies, ends the interpreter; the result then says the session was lost.
 */
public final class Interpreter implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Sandbox sandbox;
    private final DriverConnection connection;
    private final Duration grace;
    /** The sandbox's count of refused forks after the last execution: one cgroup read per execution, not two. */
    private long limitHitsSeen = -1;

    private Interpreter(Sandbox sandbox, DriverConnection connection, Duration grace) {
        this.sandbox = sandbox;
        this.connection = connection;
        this.grace = grace;
    }

    public static Interpreter start(SandboxRuntime runtime, InterpreterLauncher launcher,
                                    dev.sandpool.sandbox.ResourceLimits limits, Duration grace) throws IOException {
        Sandbox sandbox = runtime.start(launcher.spec(limits));
        try {
            DriverConnection connection = DriverConnection.open(
                    sandbox.runDir().resolve("driver.sock"), START_TIMEOUT, sandbox::isAlive);
            // the driver listens on the volume's run directory: the sandbox was set up with its volume
            sandbox.settle();
            Interpreter interpreter = new Interpreter(sandbox, connection, grace);
            // read now, not by the first execution: opening the counter's cgroup file took 80 us of it
            interpreter.limitHitsSeen = sandbox.processLimitHits();
            return interpreter;
        } catch (IOException | RuntimeException e) {
            String console = sandbox.consoleTail();
            sandbox.close();
            throw new IOException("interpreter failed to start" + (console.isEmpty() ? "" : ": " + console), e);
        }
    }

    /**
     * A custom container's session: a sandbox with no driver in it, reached over HTTP through the
     * pool endpoint. It is ready once something accepts connections on {@code port}.
     */
    public static Interpreter container(Sandbox sandbox, int port, Duration startTimeout) throws IOException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline && sandbox.isAlive()) {
            try (java.net.Socket probe = sandbox.connect(port, Duration.ofSeconds(1))) {
                return settled(sandbox);
            } catch (IOException e) {
                last = e.getMessage();
                pause(sandbox, Duration.ofMillis(20));
            }
        }
        throw notStarted(sandbox, "the container did not accept connections on port " + port + " within "
                + startTimeout.toSeconds() + " s (" + last + ")");
    }

    /**
     * A custom container's session that is ready when its startup probe passes: first after the
     * probe's initial delay, then every period, failing after {@code failureThreshold} misses.
     */
    public static Interpreter container(Sandbox sandbox, ContainerProbe startup) throws IOException {
        var probe = startup.config();
        pause(sandbox, Duration.ofSeconds(probe.initialDelaySeconds()));
        String failure = "the container exited";
        for (int attempt = 1; sandbox.isAlive(); attempt++) {
            var result = startup.check(sandbox);
            if (result.isEmpty()) {
                return settled(sandbox);
            }
            failure = result.get();
            if (attempt >= probe.failureThreshold()) {
                break;
            }
            pause(sandbox, Duration.ofSeconds(probe.periodSeconds()));
        }
        throw notStarted(sandbox, "the startup probe failed: " + failure);
    }

    /** A container's session, once its server answers: the container runs, so its set-up is done. */
    private static Interpreter settled(Sandbox sandbox) throws IOException {
        try {
            sandbox.settle();
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        return new Interpreter(sandbox, null, Duration.ZERO);
    }

    private static IOException notStarted(Sandbox sandbox, String why) {
        String console = sandbox.consoleTail();
        sandbox.close();
        return new IOException(why + (console.isEmpty() ? "" : "; its output: " + console));
    }

    /** Waits, or ends the sandbox being started when the start is interrupted (its pool is closing). */
    private static void pause(Sandbox sandbox, Duration time) throws IOException {
        try {
            Thread.sleep(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.close();
            throw new java.io.InterruptedIOException("interrupted while the container started");
        }
    }

    /** Whether this session runs a custom container, which takes HTTP requests, not code. */
    public boolean isContainer() {
        return connection == null;
    }

    /**
     * Reconnects to the interpreter of a sandbox that an earlier server process started. A driver
     * busy with an execution from before the restart greets only when that ends, hence the wait.
     */
    public static java.util.Optional<Interpreter> adopt(SandboxRuntime runtime, dev.sandpool.sandbox.SandboxHandle handle,
                                                        dev.sandpool.sandbox.ResourceLimits limits, Duration grace) {
        java.util.Optional<Sandbox> found = runtime.adopt(handle, limits);
        if (found.isEmpty()) {
            return java.util.Optional.empty();
        }
        Sandbox sandbox = found.get();
        try {
            DriverConnection connection = DriverConnection.open(sandbox.runDir().resolve("driver.sock"),
                    Duration.ofSeconds(30), sandbox::isAlive);
            return java.util.Optional.of(new Interpreter(sandbox, connection, grace));
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            return java.util.Optional.empty();
        }
    }

    /** Drops the connection and leaves the sandbox running, for the next server process to adopt. */
    public void detach() {
        if (connection != null) {
            connection.close();
        }
        sandbox.detach();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public boolean isAlive() {
        return sandbox.isAlive();
    }

    public ExecutionResult execute(ExecutionRequest request) {
        if (isContainer()) {
            return new ExecutionResult(false, "", "this pool runs a custom container: send HTTP requests to the pool "
                    + "endpoint instead of code\n", NullNode.getInstance(), 0, false, ExecutionResult.Loss.NONE, null);
        }
        long started = System.nanoTime();
        ObjectNode message = DriverConnection.JSON.createObjectNode()
                .put("op", request.kind() == ExecutionRequest.Kind.SHELL ? "shell" : "exec")
                .put("timeout", request.timeout().toMillis() / 1000.0)
                .put("maxOutput", request.maxOutputBytes());
        if (request.kind() == ExecutionRequest.Kind.SHELL) {
            if (request.argv() != null) {
                request.argv().forEach(message.putArray("argv")::add);
            } else {
                message.put("command", request.code());
            }
            if (request.stdin() != null) {
                message.put("stdin", request.stdin());
            }
        } else {
            message.put("code", request.code());
        }
        long limitHitsBefore = limitHitsSeen >= 0 ? limitHitsSeen : sandbox.processLimitHits();
        try {
            JsonNode reply = connection.call(message, request.timeout().plus(grace), maxFrame(request.maxOutputBytes()));
            limitHitsSeen = sandbox.processLimitHits();
            boolean forkBombed = limitHitsSeen > limitHitsBefore;
            String stderr = reply.path("stderr").asString("");
            if (forkBombed) {
                close();
                stderr += "SessionLost: the session's processes reached its process limit; "
                        + "the session was ended and the next call starts a new one\n";
            }
            Integer exitCode = reply.has("exitCode") ? reply.get("exitCode").asInt() : null;
            boolean success = exitCode != null ? exitCode == 0 : "Success".equals(reply.path("status").asString());
            JsonNode result = forkBombed || (exitCode == null && !success) ? NullNode.getInstance()
                    : reply.has("result") ? reply.get("result") : tools.jackson.databind.node.StringNode.valueOf("");
            return new ExecutionResult(success && !forkBombed, reply.path("stdout").asString(""), stderr, result,
                    millisSince(started), reply.path("timedOut").asBoolean(false),
                    forkBombed ? ExecutionResult.Loss.PROCESS_LIMIT : ExecutionResult.Loss.NONE, exitCode);
        } catch (DriverConnection.DeadlineExceededException e) {
            close();
            return ExecutionResult.lost("", "TimeoutError: execution timed out after "
                    + request.timeout().toSeconds() + " seconds and did not stop when interrupted; "
                    + "the session was ended and the next call starts a new one\n", millisSince(started),
                    ExecutionResult.Loss.TIMEOUT_KILLED);
        } catch (DriverConnection.OversizedFrameException e) {
            close();
            return ExecutionResult.lost("", "SessionLost: " + e.getMessage() + "; the session was ended and the next "
                    + "call starts a new one\n", millisSince(started), ExecutionResult.Loss.DIED);
        } catch (IOException | RuntimeException e) {
            String reason = waitForDeathReason();
            boolean memory = sandbox.oomKilled();
            close();
            return ExecutionResult.lost("", "SessionLost: " + reason + "; the next call starts a new session\n",
                    millisSince(started), memory ? ExecutionResult.Loss.MEMORY_LIMIT : ExecutionResult.Loss.DIED);
        }
    }

    /**
     * The largest answer a driver may send: stdout and stderr of up to {@code maxOutput} bytes each,
     * which JSON escaping can grow sixfold (a control byte becomes {@code \\u0000}), a result the
     * driver also caps at {@code maxOutput}, and room for a figure.
     */
    static int maxFrame(long maxOutput) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 16 * maxOutput + (64L << 20));
    }

    /** The driver's socket closes a moment before the kernel has reaped the sandbox; wait for it. */
    private String waitForDeathReason() {
        for (int i = 0; i < 100 && sandbox.isAlive(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return sandbox.deathReason();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        sandbox.close();
    }
}
