package dev.sandpool.files;

import java.util.ArrayList;
import java.util.List;

/**
 * A path inside a session's /mnt/data, from whatever a client sent: {@code a.txt}, {@code sub/a.txt},
 * {@code /mnt/data/a.txt}, {@code mnt/data/a.txt}... Anything that would leave /mnt/data ({@code ..},
 * another absolute path, NUL) is refused. The result is a list of plain name components.
 */
public record SessionPath(List<String> components) {
    public static final String MOUNT = "/mnt/data";
    private static final int MAX_LENGTH = 4096;
    private static final int MAX_COMPONENT = 255;

    public SessionPath {
        components = List.copyOf(components);
    }

    public static SessionPath root() {
        return new SessionPath(List.of());
    }

    /** Parses a client's file or directory path; {@code ""} and {@code /mnt/data} mean the root. */
    public static SessionPath parse(String raw) {
        if (raw == null) {
            return root();
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidPathException("the path is longer than " + MAX_LENGTH + " characters");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new InvalidPathException("the path contains a NUL character");
        }
        String path = raw.replace('\\', '/');
        if (path.startsWith("/")) {
            if (path.equals(MOUNT) || path.startsWith(MOUNT + "/")) {
                path = path.substring(MOUNT.length());
            } else {
                throw new InvalidPathException("'" + raw + "' is outside " + MOUNT);
            }
        } else if (path.equals("mnt/data") || path.startsWith("mnt/data/")) {
            path = path.substring("mnt/data".length());
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new InvalidPathException("'" + raw + "' contains '..'; paths must stay inside " + MOUNT);
            }
            if (part.length() > MAX_COMPONENT) {
                throw new InvalidPathException("a path component is longer than " + MAX_COMPONENT + " characters");
            }
            parts.add(part);
        }
        return new SessionPath(parts);
    }

    public boolean isRoot() {
        return components.isEmpty();
    }

    public String name() {
        return components.isEmpty() ? "" : components.getLast();
    }

    public SessionPath parent() {
        return new SessionPath(components.isEmpty() ? List.of() : components.subList(0, components.size() - 1));
    }

    public SessionPath resolve(String child) {
        List<String> parts = new ArrayList<>(components);
        parts.add(child);
        return new SessionPath(parts);
    }

    /** Relative to /mnt/data, '/'-separated: how V1 names files. */
    public String relative() {
        return String.join("/", components);
    }

    public String absolute() {
        return components.isEmpty() ? MOUNT : MOUNT + "/" + relative();
    }

    /** Raised for a path that would leave the session's directory or cannot be a file name. */
    public static final class InvalidPathException extends IllegalArgumentException {
        public InvalidPathException(String message) {
            super(message);
        }
    }
}
