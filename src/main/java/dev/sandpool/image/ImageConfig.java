package dev.sandpool.image;

import dev.sandpool.image.ImagePullException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an OCI image config (the config blob, not umoci's runtime spec: the spec merges
 * Entrypoint and Cmd into one {@code args}, and Kubernetes' command/args rules need them apart).
 */
record ImageConfig(String os, String architecture, List<String> entrypoint, List<String> cmd, List<String> env,
                   String workingDir, String user, List<String> exposedPorts) {

    private static final long MAX_PASSWD_SIZE = 4 << 20;

    static ImageConfig parse(JsonNode root) throws ImagePullException {
        if (root == null || !root.isObject()) {
            throw invalid("the image config is not a JSON object");
        }
        JsonNode config = root.path("config");
        List<String> exposed = new ArrayList<>();
        JsonNode ports = config.path("ExposedPorts");
        if (ports.isObject()) {
            exposed.addAll(ports.propertyNames());
        }
        String workingDir = text(config, "WorkingDir");
        if (workingDir.isEmpty()) {
            workingDir = "/"; // Docker's default
        } else if (!workingDir.startsWith("/")) {
            workingDir = "/" + workingDir; // some builders write it relative; Docker treats it from /
        }
        return new ImageConfig(text(root, "os"), text(root, "architecture"), strings(config, "Entrypoint"),
                strings(config, "Cmd"), strings(config, "Env"), workingDir, text(config, "User"), exposed);
    }

    private static String text(JsonNode node, String field) throws ImagePullException {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        if (!value.isString()) {
            throw invalid("the image config's " + field + " is not a string");
        }
        return value.stringValue();
    }

    private static List<String> strings(JsonNode node, String field) throws ImagePullException {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw invalid("the image config's " + field + " is not a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : value.values()) {
            if (!element.isString()) {
                throw invalid("the image config's " + field + " is not a list of strings");
            }
            out.add(element.stringValue());
        }
        return out;
    }

    /** Refuses an image that this host cannot run (another OS, another CPU). */
    void checkPlatform() throws ImagePullException {
        if (!os.isEmpty() && !os.equals("linux")) {
            throw invalid("the image is for " + os + "/" + architecture + "; this host runs linux/" + hostArchitecture());
        }
        if (!architecture.isEmpty() && !architecture.equals(hostArchitecture())) {
            throw invalid("the image is for linux/" + architecture + "; this host runs linux/" + hostArchitecture());
        }
    }

    /** The JVM's name for the CPU in the OCI (Go) spelling. */
    static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
    }

    /** The image with {@code User} resolved against the unpacked root filesystem. */
    Image toImage(String digest, Path rootfs) throws ImagePullException {
        Optional<Integer> uid = Optional.empty();
        Optional<Integer> gid = Optional.empty();
        if (!user.isEmpty()) {
            int[] ids = resolveUser(user, rootfs);
            uid = Optional.of(ids[0]);
            gid = Optional.of(ids[1]);
        }
        return new Image(digest, rootfs, entrypoint, cmd, env, workingDir, uid, gid, exposedPorts);
    }

    /**
     * Docker's rules for {@code User}: {@code uid}, {@code name}, either with {@code :gid} or
     * {@code :group}; names are looked up in the image's own /etc/passwd and /etc/group; a user without a
     * group gets its passwd entry's primary group, or 0 when the uid has no entry.
     */
    static int[] resolveUser(String user, Path rootfs) throws ImagePullException {
        int colon = user.indexOf(':');
        String userPart = colon < 0 ? user : user.substring(0, colon);
        String groupPart = colon < 0 ? null : user.substring(colon + 1);
        if (userPart.isEmpty() || (groupPart != null && groupPart.isEmpty())) {
            throw invalid("the image's User '" + user + "' is malformed");
        }
        List<String[]> passwd = null;
        String[] entry = null;
        int uid;
        if (isNumber(userPart)) {
            uid = number(userPart, user);
            passwd = readDatabase(rootfs, "etc/passwd");
            for (String[] e : passwd) {
                if (e.length >= 4 && e[2].equals(userPart)) {
                    entry = e;
                    break;
                }
            }
        } else {
            passwd = readDatabase(rootfs, "etc/passwd");
            for (String[] e : passwd) {
                if (e.length >= 4 && e[0].equals(userPart)) {
                    entry = e;
                    break;
                }
            }
            if (entry == null || !isNumber(entry[2])) {
                throw invalid("the image's User '" + userPart + "' is not in the image's /etc/passwd");
            }
            uid = number(entry[2], user);
        }
        int gid;
        if (groupPart == null) {
            gid = entry != null && isNumber(entry[3]) ? number(entry[3], user) : 0;
        } else if (isNumber(groupPart)) {
            gid = number(groupPart, user);
        } else {
            String[] group = null;
            for (String[] e : readDatabase(rootfs, "etc/group")) {
                if (e.length >= 3 && e[0].equals(groupPart)) {
                    group = e;
                    break;
                }
            }
            if (group == null || !isNumber(group[2])) {
                throw invalid("the image's group '" + groupPart + "' is not in the image's /etc/group");
            }
            gid = number(group[2], user);
        }
        return new int[] {uid, gid};
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static int number(String s, String user) throws ImagePullException {
        long value = Long.parseLong(s);
        if (value > Integer.MAX_VALUE) {
            throw invalid("the image's User '" + user + "' has an id out of range");
        }
        return (int) value;
    }

    /** Lines of a colon-separated database; a missing file is an empty one. */
    private static List<String[]> readDatabase(Path rootfs, String relative) throws ImagePullException {
        Optional<Path> file = resolveInside(rootfs, relative);
        List<String[]> out = new ArrayList<>();
        try {
            if (file.isEmpty() || !Files.isRegularFile(file.get(), LinkOption.NOFOLLOW_LINKS)) {
                return out;
            }
            if (Files.size(file.get()) > MAX_PASSWD_SIZE) {
                throw invalid("the image's /" + relative + " is larger than " + (MAX_PASSWD_SIZE >> 20) + " MiB");
            }
            for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split(":", -1));
                }
            }
        } catch (IOException e) {
            throw invalid("cannot read the image's /" + relative + ": " + e.getMessage());
        }
        return out;
    }

    /**
     * Resolves {@code relative} as a process chrooted into {@code rootfs} would: symbolic links are
     * followed with the rootfs as '/', and '..' stops at it, so an image's {@code /etc/passwd ->
     * /host/file} link can never make the server read a host file.
     */
    static Optional<Path> resolveInside(Path rootfs, String relative) throws ImagePullException {
        Deque<String> todo = new ArrayDeque<>();
        pushComponents(todo, relative);
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            Path candidate = join(rootfs, done).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > 40) {
                    throw invalid("too many symbolic links resolving /" + relative + " in the image");
                }
                String target;
                try {
                    target = Files.readSymbolicLink(candidate).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                if (target.startsWith("/")) {
                    done.clear();
                }
                pushComponents(todo, target);
                continue;
            }
            if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            done.add(part);
        }
        return Optional.of(join(rootfs, done));
    }

    private static void pushComponents(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    private static Path join(Path rootfs, List<String> parts) {
        Path p = rootfs;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    private static ImagePullException invalid(String message) {
        return new ImagePullException(Reason.INVALID_IMAGE, message);
    }
}
