package dev.sandpool.image;

import dev.sandpool.image.ImagePullException.Reason;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs skopeo, umoci or chmod with an argument list (never a shell) under a deadline. Output goes to
 * files rather than pipes, so a chatty tool can never block on a full pipe that nobody reads.
 */
final class Tool {
    private static final int MAX_OUTPUT = 64 * 1024;

    record Result(int exitCode, String stdout, String stderr) {}

    private Tool() {}

    /**
     * Runs {@code command}; past {@code deadline} the process (and anything it started) is killed by
     * its handle and the pull fails with {@link Reason#TIMEOUT}. {@code what} names the step in messages.
     */
    static Result run(List<String> command, Path workDir, Map<String, String> extraEnv, Instant deadline, String what)
            throws ImagePullException {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new ImagePullException(Reason.TIMEOUT, what + " did not start: the pull timed out");
        }
        Path out;
        Path err;
        Process process;
        try {
            out = Files.createTempFile(workDir, "tool-", ".out");
            err = Files.createTempFile(workDir, "tool-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // skopeo would otherwise read a default auth file from these; the store passes its own
            builder.environment().remove("REGISTRY_AUTH_FILE");
            builder.environment().remove("DOCKER_CONFIG");
            builder.environment().putAll(extraEnv);
            process = builder.start();
        } catch (IOException e) {
            throw new ImagePullException(Reason.OTHER, what + " could not be started: " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ImagePullException(Reason.TIMEOUT, what + " did not finish in time and was killed");
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ImagePullException(Reason.OTHER, what + " was interrupted", e);
        }
        return new Result(process.exitValue(), read(out), read(err));
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            // SIGKILL cannot be refused; wait briefly so the temp dir is not in use when it is deleted
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
