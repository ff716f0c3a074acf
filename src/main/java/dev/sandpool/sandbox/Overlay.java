package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A custom container's root: the image's shared read-only rootfs below, the session's own writable
 * layer above, merged by the kernel's overlayfs on the host (Debian's bubblewrap has no overlay
 * option) and bound into the sandbox as its /.
 *
 * <p>The image is unpacked with every file owned by host root (see ImageStore), whom a session's
 * user namespace does not map, so nothing in the image would be writable. The lower layer is
 * therefore an idmapped mount in which those files belong to the session's host uid, that is to
 * the image's user inside the session: it can change any file of the image, and each change is
 * copied up into the session's own layer, never into the shared image.
 */
final class Overlay {
    private Overlay() {}

    /**
     * Mounts {@code image} (idmapped so that root's files are the session's {@code ownerUid}'s) + a
     * new upper layer in {@code root}; returns the merged directory.
     */
    static Path mount(Path root, Path image, int ownerUid) throws IOException {
        Path lower = Files.createDirectory(root.resolve("lower"));
        try (MappingNamespace mapping = MappingNamespace.of(0, ownerUid, 0, ownerUid)) {
            LibC.idmappedBind(image, lower, mapping.fd());
        }
        Path upper = Files.createDirectory(root.resolve("upper"));
        Path work = Files.createDirectory(root.resolve("work"));
        Path merged = Files.createDirectory(root.resolve("rootfs"));
        Files.setAttribute(upper, "unix:uid", ownerUid);
        Files.setAttribute(upper, "unix:gid", ownerUid);
        run("/bin/mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, merged.toString());
        return merged;
    }

    /** Detaches every mount below {@code dir}, deepest first, so that the tree can be deleted. */
    static void unmountBelow(Path dir) {
        for (String mountPoint : mountsBelow(dir)) {
            try {
                run("/bin/umount", "-l", mountPoint);
            } catch (IOException e) {
                // another path ending the same sandbox (a close racing a sweep) may have unmounted it first
                if (mountsBelow(dir).contains(mountPoint)) {
                    throw new IllegalStateException("cannot unmount " + mountPoint + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static List<String> mountsBelow(Path dir) {
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

    private static void run(String... command) throws IOException {
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
