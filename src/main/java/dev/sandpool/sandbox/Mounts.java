package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host mounts a sandbox's directory tree holds (its data volume, a container's layers), and their removal. */
public final class Mounts {
    private Mounts() {}

    /** Detaches every mount below {@code dir}, deepest first, so that the tree can be deleted. */
    public static void unmountBelow(Path dir) {
        for (String mountPoint : mountsBelow(dir)) {
            try {
                LoopMount.detach(mountPoint);
            } catch (IOException e) {
                // another path ending the same sandbox (a close racing a sweep) may have unmounted it first
                if (mountsBelow(dir).contains(mountPoint)) {
                    throw new IllegalStateException("cannot unmount " + mountPoint + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Mount points below {@code dir} in the server's mount namespace, deepest first. */
    public static List<String> mountsBelow(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mountPoint = line.split(" ")[4].replace("\\040", " ");
                if (mountPoint.startsWith(prefix)) {
                    found.add(mountPoint);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/mountinfo", e);
        }
        found.sort((a, b) -> b.length() - a.length());
        return found;
    }

    /** Runs a mount tool (mount, mkfs) to its end; a failure carries the tool's own words. */
    static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (p.exitValue() != 0) {
                throw new IOException(command[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
