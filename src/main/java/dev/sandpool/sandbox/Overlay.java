package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
     * new upper layer in {@code writable} (the session's size-capped volume) under {@code root};
     * returns the merged directory.
     */
    static Path mount(Path root, Path writable, Path image, int ownerUid) throws IOException {
        Path lower = Files.createDirectory(root.resolve("lower"));
        try (MappingNamespace mapping = MappingNamespace.of(0, ownerUid, 0, ownerUid)) {
            LibC.idmappedBind(image, lower, mapping.fd());
        }
        Path upper = Files.createDirectory(writable.resolve("upper"));
        Path work = Files.createDirectory(writable.resolve("work"));
        Path merged = Files.createDirectory(root.resolve("rootfs"));
        Files.setAttribute(upper, "unix:uid", ownerUid);
        Files.setAttribute(upper, "unix:gid", ownerUid);
        Mounts.run("/bin/mount", "-t", "overlay", "overlay", "-o",
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, merged.toString());
        return merged;
    }
}
