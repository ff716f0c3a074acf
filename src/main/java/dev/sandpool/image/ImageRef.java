package dev.sandpool.image;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an image comes from: a registry ({@code docker://host:port/repo:tag}, {@code host:port/repo:tag},
 * {@code repo:tag} against a configured default registry, {@code ...@sha256:...}) or a local file
 * ({@code oci:/dir[:ref]}, {@code oci-archive:/file.tar[:ref]}, {@code docker-archive:/file.tar[:ref]}).
 *
 * <p>Parsing is strict on purpose: references come from pool definitions that API callers write, and
 * end up as skopeo arguments. Every part is matched against a whitelist grammar (the one of the
 * distribution spec, narrower for local paths), so no shell metacharacter, option-looking text,
 * whitespace or control character survives; skopeo is then started with an argument list anyway.
 */
public final class ImageRef {

    /** skopeo's transports that Sandpool accepts as a source. */
    public enum Transport {
        DOCKER("docker://"), OCI("oci:"), OCI_ARCHIVE("oci-archive:"), DOCKER_ARCHIVE("docker-archive:");

        private final String prefix;

        Transport(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    private static final int MAX_LENGTH = 1024;
    // distribution/reference grammar: a registry host is a DNS name, an IPv4 or a bracketed IPv6, with a port
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    private static final Pattern HOST = Pattern.compile(
            "(?:" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");
    // the OCI image layout's org.opencontainers.image.ref.name grammar (what oci: and archives select by)
    private static final Pattern REF_NAME = Pattern.compile("[A-Za-z0-9._-]+(?:[:/@][A-Za-z0-9._-]+)*");
    // local paths: absolute, plain characters only; ':' is skopeo's path/reference separator, '@' is
    // docker-archive's index syntax, so neither may appear in the path itself
    private static final Pattern LOCAL_PATH = Pattern.compile("(?:/[A-Za-z0-9_+=,.-]+)+/?");

    private final Transport transport;
    private final String registry;   // DOCKER: host[:port]
    private final String repository; // DOCKER: path below the registry
    private final String tag;        // DOCKER: tag; local: reference name inside the layout/archive
    private final String digest;     // DOCKER: pinned manifest digest
    private final Path path;         // local transports

    private ImageRef(Transport transport, String registry, String repository, String tag, String digest, Path path) {
        this.transport = transport;
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
        this.path = path;
    }

    /** Parses a reference; one without a registry host is refused (there is no implicit Docker Hub). */
    public static ImageRef parse(String text) {
        return parse(text, Optional.empty());
    }

    /**
     * Parses a reference. {@code defaultRegistry} ({@code host[:port]}) is where a reference without a
     * registry host ({@code repo:tag}) is pulled from; without one such a reference is refused, because
     * silently reaching for Docker Hub is wrong on machines without internet and a surprise on others.
     */
    public static ImageRef parse(String text, Optional<String> defaultRegistry) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("image reference is longer than " + MAX_LENGTH + " characters");
        }
        if (!text.equals(text.strip())) {
            throw new IllegalArgumentException("image reference has leading or trailing whitespace");
        }
        if (text.startsWith(Transport.DOCKER.prefix)) {
            return parseRegistry(text, text.substring(Transport.DOCKER.prefix.length()), defaultRegistry);
        }
        // oci-archive: before oci:, its prefix starts the same way
        for (Transport local : new Transport[] {Transport.OCI_ARCHIVE, Transport.DOCKER_ARCHIVE, Transport.OCI}) {
            if (text.startsWith(local.prefix)) {
                return parseLocal(text, local, text.substring(local.prefix.length()));
            }
        }
        int colon = text.indexOf(':');
        int slash = text.indexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash) && !text.startsWith("[")
                && !looksLikeHostPort(text, colon, slash)) {
            // "containers-storage:x", "dir:/x", "http://..." and the like
            throw new IllegalArgumentException("image reference '" + text + "' uses an unsupported transport"
                    + " (use docker://, oci:, oci-archive: or docker-archive:, or host:port/repo:tag)");
        }
        return parseRegistry(text, text, defaultRegistry);
    }

    private static boolean looksLikeHostPort(String text, int colon, int slash) {
        // "host:5000/repo" has a port before its first slash; "repo:tag" has no slash at all
        String afterColon = slash < 0 ? text.substring(colon + 1) : text.substring(colon + 1, slash);
        return slash < 0
                ? TAG.matcher(afterColon).matches()
                : !afterColon.isEmpty() && afterColon.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static ImageRef parseRegistry(String text, String name, Optional<String> defaultRegistry) {
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("image reference '" + text
                        + "' has an invalid digest (expected sha256: and 64 lowercase hex digits)");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int tagColon = rest.lastIndexOf(':');
        if (tagColon > lastSlash) {
            tag = rest.substring(tagColon + 1);
            rest = rest.substring(0, tagColon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("image reference '" + text + "' has an invalid tag '" + tag
                        + "' (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')");
            }
        }
        if (tag != null && digest != null) {
            // skopeo refuses name:tag@digest; say so before it does
            throw new IllegalArgumentException("image reference '" + text + "' has both a tag and a digest; give one");
        }
        String registry;
        String repository;
        int firstSlash = rest.indexOf('/');
        String first = firstSlash < 0 ? rest : rest.substring(0, firstSlash);
        // the distribution rule: the first component is a registry when it has a '.', a ':', is
        // localhost or an IPv6 literal; otherwise the whole name is a repository on the default registry
        if (firstSlash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || first.startsWith("["))) {
            registry = first;
            repository = rest.substring(firstSlash + 1);
        } else {
            if (defaultRegistry.isEmpty()) {
                throw new IllegalArgumentException("image reference '" + text + "' names no registry host and no"
                        + " default registry is configured; write it as host:port/" + name
                        + " (there is no implicit Docker Hub)");
            }
            registry = normalizeRegistry(defaultRegistry.get());
            repository = rest;
        }
        if (!HOST.matcher(registry).matches() || !validPort(registry)) {
            throw new IllegalArgumentException("image reference '" + text + "' has an invalid registry host '"
                    + registry + "'");
        }
        if (repository.isEmpty() || repository.length() > 255) {
            throw new IllegalArgumentException("image reference '" + text + "' has no repository name");
        }
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("image reference '" + text + "' has an invalid repository name '"
                        + repository + "' (lowercase letters, digits and separators '.', '_', '__', '-', joined by '/')");
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageRef(Transport.DOCKER, registry, repository, tag, digest, null);
    }

    private static ImageRef parseLocal(String text, Transport transport, String rest) {
        String pathText = rest;
        String ref = null;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            pathText = rest.substring(0, colon);
            ref = rest.substring(colon + 1);
            if (!REF_NAME.matcher(ref).matches() || ref.length() > 255) {
                throw new IllegalArgumentException("image reference '" + text + "' has an invalid reference name '"
                        + ref + "' after the path");
            }
        }
        if (!LOCAL_PATH.matcher(pathText).matches()) {
            throw new IllegalArgumentException("image reference '" + text + "' needs an absolute path of letters,"
                    + " digits and '_+=,.-' after " + transport.prefix);
        }
        Path path = Path.of(pathText);
        if (!path.normalize().equals(path)) {
            throw new IllegalArgumentException("image reference '" + text + "' has '.' or '..' in its path");
        }
        return new ImageRef(transport, null, null, ref, null, path);
    }

    /** Removes a scheme and trailing slashes ({@code https://host:5000/} is how people write a server). */
    static String normalizeRegistry(String server) {
        String s = server.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            s = s.substring("https://".length());
        } else if (lower.startsWith("http://")) {
            s = s.substring("http://".length());
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!HOST.matcher(s).matches() || !validPort(s)) {
            throw new IllegalArgumentException("invalid registry server '" + server + "' (expected host or host:port)");
        }
        return s;
    }

    private static boolean validPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.lastIndexOf(']') > colon) {
            return true;
        }
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        return port >= 1 && port <= 65535;
    }

    public Transport transport() {
        return transport;
    }

    public boolean isRegistry() {
        return transport == Transport.DOCKER;
    }

    /** {@code host[:port]} for registry references. */
    public Optional<String> registry() {
        return Optional.ofNullable(registry);
    }

    public Optional<String> repository() {
        return Optional.ofNullable(repository);
    }

    /** The tag of a registry reference, or the reference name inside a local layout or archive. */
    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<String> digest() {
        return Optional.ofNullable(digest);
    }

    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /**
     * True for a registry on 127.0.0.0/8, ::1 or localhost: plain HTTP there cannot be intercepted
     * off the machine, so TLS verification is relaxed for it without being asked.
     */
    public boolean isLoopbackRegistry() {
        if (registry == null) {
            return false;
        }
        String host = registry;
        if (host.startsWith("[")) {
            host = host.substring(1, host.indexOf(']'));
        } else if (host.contains(":")) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return false; // a DNS name: never resolved here, so never considered loopback
        }
        try {
            return InetAddress.ofLiteral(host).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The reference as skopeo's source argument. */
    String skopeoSource() {
        return toString();
    }

    /** The canonical text: transport prefix included, default tag filled in. Never holds a secret. */
    @Override
    public String toString() {
        if (transport == Transport.DOCKER) {
            return "docker://" + registry + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
        }
        return transport.prefix + path + (tag != null ? ":" + tag : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRef other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
