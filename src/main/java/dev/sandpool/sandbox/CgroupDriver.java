package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates per-sandbox cgroups under one parent group, so that everything the server made can be
 * found again after a crash.
 */
public interface CgroupDriver {
    Cgroup create(String name, ResourceLimits limits) throws IOException;

    /** A handle on an existing group, for clean-up. */
    Cgroup open(String name);

    /** Names of the groups that exist under the parent now. */
    List<String> existing();

    /** Removes the (empty) parent group itself, for tests and uninstall. */
    void removeParent();

    /** v2 when the unified hierarchy has the memory controller, else the v1 hierarchies. */
    static CgroupDriver detect(Path root, String parent) {
        Path controllers = root.resolve("cgroup.controllers");
        try {
            if (Files.exists(controllers) && Files.readString(controllers).contains("memory")) {
                return new CgroupV2Driver(root, parent);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + controllers, e);
        }
        if (Files.isDirectory(root.resolve("memory")) && Files.isDirectory(root.resolve("pids"))) {
            return new CgroupV1Driver(root, parent);
        }
        throw new IllegalStateException("no usable cgroup hierarchy under " + root
                + ": need cgroup v2 with the memory controller, or cgroup v1 memory, pids and cpu");
    }
}
