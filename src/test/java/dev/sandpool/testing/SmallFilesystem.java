package dev.sandpool.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few MiB mounted on a fresh directory, for tests that fill a disk. {@link #close()}
 * unmounts it (lazily if something still holds it) and removes the directory, also after a failure.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path mountPoint;

    private SmallFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    public static SmallFilesystem mount(String size) throws IOException {
        Path dir = Files.createTempDirectory("sandpool-small-fs-");
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0711", "sandpool-test", dir.toString());
        return new SmallFilesystem(dir);
    }

    public Path root() {
        return mountPoint;
    }

    /** Writes {@code file} until the filesystem refuses more; returns the bytes it took. */
    public long fill(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
        return written;
    }

    public long freeBytes() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    @Override
    public void close() throws IOException {
        try {
            run("umount", mountPoint.toString());
        } catch (IOException e) {
            run("umount", "-l", mountPoint.toString());
        }
        Files.deleteIfExists(mountPoint);
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
