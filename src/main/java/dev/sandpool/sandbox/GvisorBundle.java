package dev.sandpool.sandbox;

import dev.sandpool.config.DataSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the OCI bundle of one gVisor sandbox: the same view of the host as a bubblewrap sandbox
 * (read-only /usr, a few /etc files, a size-capped /tmp, /mnt/data and /run/sandpool), on a shared,
 * empty, read-only root that only holds the mount points.
 *
 * <p>The process runs as the session's host uid itself, not as uid 1000: this runsc build hangs
 * when the spec maps uids, and without a mapping gVisor's gofer creates files as the uid inside.
 * So files written to /mnt/data belong to the session's uid on the host, as under bubblewrap, and
 * each sandbox gets its own /etc/passwd naming that uid "user".
 */
final class GvisorBundle {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final List<String> GENERATED_ETC = List.of("hosts", "nsswitch.conf");

    private final Path rootfs;
    private final Path etcDir;
    private final DataSize tmpSize;

    GvisorBundle(Path rootfs, Path etcDir, DataSize tmpSize) throws IOException {
        this.rootfs = rootfs;
        this.etcDir = etcDir;
        this.tmpSize = tmpSize;
        for (String dir : List.of("usr", "etc", "proc", "dev", "tmp", "mnt/data", "run/sandpool")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        for (String link : List.of("lib", "lib64", "bin", "sbin")) {
            if (!Files.exists(rootfs.resolve(link), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(rootfs.resolve(link), Path.of("usr", link));
            }
        }
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Writes {@code ctl/bundle/config.json} and the sandbox's passwd and group files. */
    void write(Path ctl, SandboxSpec spec, int uid, Path data, Path run) throws IOException {
        Path bundle = Files.createDirectory(ctl.resolve("bundle"));
        Files.writeString(ctl.resolve("passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "user:x:" + uid + ":" + uid + ":sandbox user:/mnt/data:/bin/bash\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(ctl.resolve("group"), "root:x:0:\nuser:x:" + uid + ":\nnogroup:x:65534:\n");

        ObjectNode config = JSON.createObjectNode().put("ociVersion", "1.0.0").put("hostname", "sandbox");
        ObjectNode process = config.putObject("process").put("cwd", Sandbox.DATA_DIR_INSIDE).put("noNewPrivileges", true);
        process.putObject("user").put("uid", uid).put("gid", uid);
        spec.command().forEach(process.putArray("args")::add);
        ArrayNode env = process.putArray("env");
        BubblewrapRuntime.BUILT_IN_ENV.forEach((k, v) -> env.add(k + "=" + v));
        spec.env().forEach((k, v) -> env.add(k + "=" + v));
        ArrayNode rlimits = process.putArray("rlimits");
        rlimit(rlimits, "RLIMIT_NOFILE", 4096);
        // gVisor's kernel enforces this inside: a fork bomb gets EAGAIN and the sandbox lives on
        rlimit(rlimits, "RLIMIT_NPROC", spec.limits().pids());
        config.putObject("root").put("path", rootfs.toString()).put("readonly", true);

        ArrayNode mounts = config.putArray("mounts");
        mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs");
        mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs")
                .putArray("options").add("size=" + tmpSize.bytes()).add("mode=1777").add("nosuid").add("nodev");
        bind(mounts, "/usr", Path.of("/usr"), true);
        for (String hostEtc : BubblewrapRuntime.HOST_ETC) {
            if (Files.exists(Path.of(hostEtc))) {
                bind(mounts, hostEtc, Path.of(hostEtc), true);
            }
        }
        bind(mounts, "/etc/passwd", ctl.resolve("passwd"), true);
        bind(mounts, "/etc/group", ctl.resolve("group"), true);
        for (String generated : GENERATED_ETC) {
            bind(mounts, "/etc/" + generated, etcDir.resolve(generated), true);
        }
        if (spec.egress().isPresent()) {
            bind(mounts, "/etc/resolv.conf", etcDir.resolve("resolv.conf"), true);
        }
        bind(mounts, Sandbox.DATA_DIR_INSIDE, data, false);
        bind(mounts, Sandbox.RUN_DIR_INSIDE, run, false);
        for (Map.Entry<String, Path> ro : spec.readOnlyBinds().entrySet()) {
            bind(mounts, ro.getKey(), ro.getValue(), true);
        }

        ArrayNode namespaces = config.putObject("linux").putArray("namespaces");
        for (String ns : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", ns);
        }
        if (spec.egress().isEmpty()) {
            namespaces.addObject().put("type", "network");
        }
        // with egress, runsc uses the network of the namespace it was started in (the session's, with
        // slirp4netns and the rules); a network namespace in the spec would be a new, empty one
        Files.write(bundle.resolve("config.json"), JSON.writeValueAsBytes(config));
    }

    private static void rlimit(ArrayNode rlimits, String type, long value) {
        rlimits.addObject().put("type", type).put("hard", value).put("soft", value);
    }

    /** A bind mount; its mount point is made in the shared root first (the same for every sandbox). */
    private void bind(ArrayNode mounts, String inside, Path host, boolean readOnly) throws IOException {
        Path point = rootfs.resolve(inside.substring(1));
        if (!Files.exists(point, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(host)) {
                Files.createDirectories(point);
            } else {
                Files.createDirectories(point.getParent());
                try {
                    Files.createFile(point);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another sandbox starting at the same time made it
                }
            }
        }
        mounts.addObject().put("destination", inside).put("type", "bind").put("source", host.toString())
                .putArray("options").add("rbind").add(readOnly ? "ro" : "rw");
    }
}
