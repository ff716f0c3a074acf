package dev.sandpool.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An unpacked image: its shared root filesystem and what its config says about how to run it.
 *
 * <p>The root filesystem is shared by every session of every pool that uses the image, and must be
 * mounted read-only (as an overlayfs lower layer, or a read-only bind). It was unpacked rootless:
 * every file belongs to root, is world-readable and not group- or world-writable, and has no
 * setuid/setgid bit or device node; the image's own file ownership is not kept.
 *
 * @param digest       the image manifest's digest ({@code sha256:...}), the content address
 * @param rootfs       the unpacked root filesystem
 * @param entrypoint   the config's {@code Entrypoint} (empty when none)
 * @param cmd          the config's {@code Cmd} (empty when none)
 * @param env          the config's {@code Env}, {@code NAME=value} in order
 * @param workingDir   the config's {@code WorkingDir}, {@code /} when none
 * @param uid          the config's {@code User} resolved to a uid; empty when the image names none (root)
 * @param gid          its group: the one given, else the user's primary group in {@code /etc/passwd}, else 0
 * @param exposedPorts the config's {@code ExposedPorts} keys, e.g. {@code 8080/tcp}
 */
public record Image(String digest, Path rootfs, List<String> entrypoint, List<String> cmd, List<String> env,
                    String workingDir, Optional<Integer> uid, Optional<Integer> gid, List<String> exposedPorts) {

    public Image {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(rootfs, "rootfs");
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(gid, "gid");
        exposedPorts = List.copyOf(exposedPorts);
    }

    /** The same image at another place (the store resolves the user in a staging copy first). */
    Image withRootfs(Path other) {
        return new Image(digest, other, entrypoint, cmd, env, workingDir, uid, gid, exposedPorts);
    }

    /**
     * The process to start, with Kubernetes' (and Docker's) rules: a given {@code command} replaces the
     * entrypoint and drops the image's cmd; given {@code args} replace the cmd. Null or empty means
     * "not given". The result is empty when neither the image nor the caller names a program.
     */
    public List<String> command(List<String> overrideCommand, List<String> overrideArgs) {
        boolean hasCommand = overrideCommand != null && !overrideCommand.isEmpty();
        boolean hasArgs = overrideArgs != null && !overrideArgs.isEmpty();
        List<String> out = new ArrayList<>(hasCommand ? overrideCommand : entrypoint);
        if (hasArgs) {
            out.addAll(overrideArgs);
        } else if (!hasCommand) {
            out.addAll(cmd);
        }
        return List.copyOf(out);
    }

    /** {@link #env()} as a map, later entries winning (as in Docker); a pool's env goes on top of it. */
    public Map<String, String> environment() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : env) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            } else if (eq < 0 && !entry.isEmpty()) {
                out.put(entry, "");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The TCP ports of {@link #exposedPorts()} (a port without a protocol is TCP). */
    public List<Integer> exposedTcpPorts() {
        List<Integer> out = new ArrayList<>();
        for (String port : exposedPorts) {
            String number = port.endsWith("/tcp") ? port.substring(0, port.length() - 4) : port;
            if (number.matches("[0-9]{1,5}")) {
                int value = Integer.parseInt(number);
                if (value >= 1 && value <= 65535) {
                    out.add(value);
                }
            }
        }
        return List.copyOf(out);
    }
}
