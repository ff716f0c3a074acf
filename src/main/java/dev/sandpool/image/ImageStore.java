package dev.sandpool.image;

import dev.sandpool.image.ImagePullException.Reason;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Content-addressed root filesystems of OCI images, under {@code imagesDir}:
 *
 * <pre>
 * imagesDir/sha256-&lt;hex&gt;/rootfs              the unpacked image, shared read-only by sessions
 * imagesDir/sha256-&lt;hex&gt;/image-config.json   its OCI image config (Entrypoint, Cmd, Env, ...)
 * imagesDir/sha256-&lt;hex&gt;/manifest.json       its OCI manifest
 * imagesDir/.tmp/                           pulls and removals in progress
 * </pre>
 *
 * <p>The directory is named by the manifest digest with '-' for ':' because overlayfs takes ':' as
 * the separator between lower directories, and this path is meant to be one.
 *
 * <p>A pull copies the image with skopeo into a private OCI layout, reads the manifest digest from
 * it, and unpacks with umoci only when no directory for that digest exists yet. The unpacked tree is
 * staged next to its final place and renamed into it in one step, so a directory that exists is
 * always complete, and two pulls of the same digest (threads here, or another process on the same
 * directory) never both publish. Every failure removes what the pull created.
 *
 * <p>skopeo runs hermetically: its own permissive signature policy (images are addressed by digest;
 * signature verification is not in scope), an empty registries.d, and an auth file that holds only
 * the credentials given for the pull (or none), so the host's or root's container config never
 * changes what a pool gets. A reference always names its registry, so registries.conf short-name
 * resolution never applies.
 */
public final class ImageStore {
    private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern IMAGE_DIR = Pattern.compile("sha256-[a-f0-9]{64}");
    private static final Pattern TEMP_DIR = Pattern.compile("(?:pull|remove)-([0-9]+)-.*");
    // logrus' line: time="..." level=fatal msg="..."
    private static final Pattern LOGRUS_MSG = Pattern.compile("level=(?:fatal|error) msg=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String LAYOUT_TAG = "image";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final long MAX_METADATA_BLOB = 16L << 20;
    private static final int MAX_REASON = 800;

    private final Path imagesDir;
    private final Path tmpDir;
    private final String skopeo;
    private final String umoci;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** A store using skopeo and umoci from PATH. */
    public ImageStore(Path imagesDir) throws IOException {
        this(imagesDir, "skopeo", "umoci");
    }

    ImageStore(Path imagesDir, String skopeo, String umoci) throws IOException {
        this.imagesDir = imagesDir.toAbsolutePath().normalize();
        this.tmpDir = this.imagesDir.resolve(".tmp");
        this.skopeo = skopeo;
        this.umoci = umoci;
        Files.createDirectories(this.imagesDir);
        Files.createDirectories(tmpDir);
        Files.setPosixFilePermissions(tmpDir, PosixFilePermissions.fromString("rwx------"));
        removeLeftovers();
    }

    public Path imagesDir() {
        return imagesDir;
    }

    /** Pulls with {@link PullOptions#allowInsecureRegistry()} off. */
    public Image pull(ImageRef ref, Optional<RegistryCredentials> credentials, Duration timeout)
            throws ImagePullException {
        return pull(ref, new PullOptions(credentials, timeout, false));
    }

    /**
     * Makes {@code ref} available: copied, and unpacked unless an image with the same digest already is.
     * Never takes longer than the options' timeout (give or take a second to kill a tool).
     */
    public Image pull(ImageRef ref, PullOptions options) throws ImagePullException {
        Instant deadline = Instant.now().plus(options.timeout());
        long started = System.nanoTime();
        Optional<RegistryCredentials> credentials = options.credentials();
        Path work;
        try {
            work = Files.createTempDirectory(tmpDir, "pull-" + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new ImagePullException(Reason.OTHER, "cannot pull " + ref + ": cannot create a temporary directory"
                    + " under " + tmpDir + ": " + e.getMessage(), e);
        }
        try {
            Path layout = work.resolve("layout");
            copy(ref, options, work, layout, deadline);
            JsonNode manifestDescriptor = taggedManifest(ref, layout);
            String digest = manifestDescriptor.path("digest").asString("");
            JsonNode manifest = readJson(ref, blob(ref, layout, digest), "manifest");
            String configDigest = manifest.path("config").path("digest").asString("");
            Path configBlob = blob(ref, layout, configDigest);
            ImageConfig config = ImageConfig.parse(readJson(ref, configBlob, "image config"));
            config.checkPlatform();
            Installed installed = install(ref, digest, layout, blob(ref, layout, digest), configBlob, config, work,
                    deadline);
            LOG.info("image {} is {} ({} in {} ms)", ref, digest,
                    installed.unpacked ? "unpacked" : "already unpacked, reused",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return installed.image;
        } catch (ImagePullException e) {
            ImagePullException scrubbed = scrubbed(withContext(ref, options.timeout(), e), credentials);
            LOG.warn("image pull failed: {}", scrubbed.getMessage());
            throw scrubbed;
        } finally {
            deleteTree(work);
        }
    }

    /** The image already unpacked under {@code digest} ({@code sha256:...}), if any; nothing is pulled. */
    public Optional<Image> find(String digest) throws ImagePullException {
        Path dir = dirFor(digest);
        if (!Files.isDirectory(dir.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(load(digest, dir));
    }

    /** The digests of every unpacked image. */
    public List<String> digests() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(imagesDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (IMAGE_DIR.matcher(name).matches() && Files.isDirectory(entry.resolve("rootfs"))) {
                    out.add(name.replaceFirst("-", ":"));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Deletes an unpacked image. The caller makes sure no session uses it (the store does not know about
     * sessions); a pull of the same digest waits until the removal is done. False when it was not there.
     */
    public boolean remove(String digest) throws IOException {
        Path dir = dirFor(digest);
        ReentrantLock lock = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        lock.lock();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            // moved out of sight first, so no half-deleted image is ever found as present
            Path trash = tmpDir.resolve("remove-" + ProcessHandle.current().pid() + "-" + dir.getFileName());
            deleteTree(trash);
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trash);
            LOG.info("image {} removed", digest);
            return true;
        } finally {
            lock.unlock();
        }
    }

    // --- the steps of a pull ---

    private void copy(ImageRef ref, PullOptions options, Path work, Path layout, Instant deadline)
            throws ImagePullException {
        Path policy = work.resolve("policy.json");
        Path registriesD = work.resolve("registries.d");
        Path skopeoTmp = work.resolve("tmp");
        Path authFile = work.resolve("auth.json");
        try {
            Files.writeString(policy, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
            Files.createDirectories(registriesD);
            Files.createDirectories(skopeoTmp);
            // created 0600 before the secret is written, inside a 0700 directory
            Files.createFile(authFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(authFile, options.credentials().map(RegistryCredentials::authFileJson)
                    .orElse("{\"auths\":{}}"));
        } catch (IOException e) {
            throw new ImagePullException(Reason.OTHER, "cannot pull " + ref + ": cannot prepare " + work + ": "
                    + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of(skopeo,
                "--policy", policy.toString(),
                "--registries.d", registriesD.toString(),
                "--tmpdir", skopeoTmp.toString(),
                "copy", "--quiet"));
        if (ref.isRegistry()) {
            command.addAll(List.of("--src-authfile", authFile.toString()));
            if (ref.isLoopbackRegistry() || options.allowInsecureRegistry()) {
                command.add("--src-tls-verify=false");
            }
        }
        // no --override-arch/--override-os: skopeo picks the host's platform from a multi-platform index,
        // and checkPlatform() refuses a single-platform image for another one
        command.add(ref.skopeoSource());
        command.add("oci:" + layout + ":" + LAYOUT_TAG);
        Tool.Result result = Tool.run(command, work, Map.of("TMPDIR", skopeoTmp.toString()), deadline,
                "skopeo copy");
        if (result.exitCode() != 0) {
            String detail = toolMessage(result.stderr().isBlank() ? result.stdout() : result.stderr());
            Reason reason = classify(detail);
            throw new ImagePullException(reason, "cannot pull " + ref + ": " + describe(reason) + ": " + detail);
        }
    }

    private static Reason classify(String detail) {
        String s = detail.toLowerCase(Locale.ROOT);
        if (s.contains("permission denied")) {
            return Reason.OTHER; // a local file or directory, not the registry
        }
        if (s.contains("unauthorized") || s.contains("authentication required") || s.contains("denied")
                || s.contains("invalid username/password") || s.contains("status code: 401")) {
            return Reason.UNAUTHORIZED;
        }
        if (s.contains("manifest unknown") || s.contains("name unknown") || s.contains("not found")
                || s.contains("no such file or directory") || s.contains("does not exist")
                || s.contains("no descriptor found") || s.contains("no image found")) {
            return Reason.NOT_FOUND;
        }
        if (s.contains("connection refused") || s.contains("no such host") || s.contains("i/o timeout")
                || s.contains("network is unreachable") || s.contains("connection reset") || s.contains("x509")
                || s.contains("tls:") || s.contains("http response to https client") || s.contains("pinging")) {
            return Reason.UNREACHABLE;
        }
        return Reason.OTHER;
    }

    private static String describe(Reason reason) {
        return switch (reason) {
            case NOT_FOUND -> "image not found";
            case UNAUTHORIZED -> "the registry refused access (unauthorized)";
            case UNREACHABLE -> "the registry is unreachable";
            case TIMEOUT -> "timed out";
            case INVALID_IMAGE -> "invalid image";
            case UNPACK_FAILED -> "unpacking failed";
            case OTHER -> "skopeo failed";
        };
    }

    /** The descriptor skopeo wrote for our tag in the layout's index.json. */
    private JsonNode taggedManifest(ImageRef ref, Path layout) throws ImagePullException {
        JsonNode index = readJson(ref, layout.resolve("index.json"), "OCI layout index");
        for (JsonNode descriptor : index.path("manifests").values()) {
            if (LAYOUT_TAG.equals(descriptor.path("annotations").path("org.opencontainers.image.ref.name").asString(""))) {
                if (!OCI_MANIFEST.equals(descriptor.path("mediaType").asString(""))) {
                    throw new ImagePullException(Reason.INVALID_IMAGE, "cannot pull " + ref + ": skopeo stored a "
                            + descriptor.path("mediaType").asString("descriptor without media type")
                            + ", not an OCI image manifest");
                }
                return descriptor;
            }
        }
        throw new ImagePullException(Reason.INVALID_IMAGE, "cannot pull " + ref + ": skopeo wrote no manifest");
    }

    private static Path blob(ImageRef ref, Path layout, String digest) throws ImagePullException {
        if (!DIGEST.matcher(digest).matches()) {
            throw new ImagePullException(Reason.INVALID_IMAGE, "cannot pull " + ref + ": unsupported or invalid digest '"
                    + abbreviate(digest) + "' (only sha256 is supported)");
        }
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static JsonNode readJson(ImageRef ref, Path file, String what) throws ImagePullException {
        try {
            if (Files.size(file) > MAX_METADATA_BLOB) {
                throw new ImagePullException(Reason.INVALID_IMAGE, "cannot pull " + ref + ": its " + what
                        + " is larger than " + (MAX_METADATA_BLOB >> 20) + " MiB");
            }
            return JSON.readTree(file);
        } catch (IOException | JacksonException e) {
            throw new ImagePullException(Reason.INVALID_IMAGE, "cannot pull " + ref + ": cannot read its " + what
                    + ": " + abbreviate(String.valueOf(e.getMessage())), e);
        }
    }

    private record Installed(Image image, boolean unpacked) {}

    private Installed install(ImageRef ref, String digest, Path layout, Path manifestBlob, Path configBlob,
                              ImageConfig config, Path work, Instant deadline) throws ImagePullException {
        Path dir = dirFor(digest);
        ReentrantLock lock = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        try {
            long waitMillis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            if (!lock.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new ImagePullException(Reason.TIMEOUT, "cannot pull " + ref + ": timed out waiting for another"
                        + " pull of " + digest + " to finish unpacking");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException(Reason.OTHER, "cannot pull " + ref + ": interrupted", e);
        }
        try {
            if (Files.isDirectory(dir.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(dir.resolve("image-config.json"), LinkOption.NOFOLLOW_LINKS)) {
                return new Installed(load(digest, dir), false);
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                // not made by this store (it publishes whole trees only), e.g. half deleted by hand: replace it
                LOG.warn("replacing the incomplete image directory {}", dir);
                try {
                    Path trash = work.resolve("incomplete");
                    Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(trash);
                } catch (IOException e) {
                    throw unpackFailed(ref, "cannot replace the incomplete " + dir + ": " + e.getMessage(), e);
                }
            }
            Path stage = work.resolve("stage");
            Path rootfs = stage.resolve("rootfs");
            try {
                Files.createDirectories(stage);
            } catch (IOException e) {
                throw unpackFailed(ref, "cannot create " + stage + ": " + e.getMessage(), e);
            }
            // --rootless even though we are root: no device nodes, no chown to the image's uids (which
            // are real users on the host), no setuid files owned by someone else; everything stays root's
            Tool.Result unpack = Tool.run(List.of(umoci, "raw", "unpack", "--rootless",
                    "--image", layout + ":" + LAYOUT_TAG, rootfs.toString()), work, Map.of(), deadline,
                    "umoci unpack");
            if (unpack.exitCode() != 0) {
                throw unpackFailed(ref, "umoci: " + toolMessage(unpack.stderr().isBlank() ? unpack.stdout()
                        : unpack.stderr()), null);
            }
            // shared by every session: world-readable (sandboxes run as other uids), writable by no one
            // but root, and no setuid/setgid bit. chmod -R changes no symlink target during its walk.
            Tool.Result chmod = Tool.run(List.of("chmod", "-R", "go-w,ug-s,a+rX", "--", rootfs.toString()), work,
                    Map.of(), deadline, "chmod of the unpacked tree");
            if (chmod.exitCode() != 0) {
                throw unpackFailed(ref, "chmod: " + toolMessage(chmod.stderr()), null);
            }
            Image image;
            try {
                Files.copy(configBlob, stage.resolve("image-config.json"));
                Files.copy(manifestBlob, stage.resolve("manifest.json"));
                Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
                // the user is resolved against the staged tree: an image whose User cannot be found is
                // refused before it is published
                image = config.toImage(digest, rootfs).withRootfs(dir.resolve("rootfs"));
                Files.move(stage, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another process published the same digest first; its tree is as good as ours
                return new Installed(load(digest, dir), false);
            } catch (AtomicMoveNotSupportedException e) {
                throw unpackFailed(ref, "cannot move the unpacked image into " + imagesDir + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw unpackFailed(ref, "cannot store the unpacked image: " + e.getMessage(), e);
            }
            return new Installed(image, true);
        } finally {
            lock.unlock();
        }
    }

    private static ImagePullException unpackFailed(ImageRef ref, String detail, Throwable cause) {
        return new ImagePullException(Reason.UNPACK_FAILED, "cannot unpack " + ref + ": " + detail, cause);
    }

    private Image load(String digest, Path dir) throws ImagePullException {
        Path configFile = dir.resolve("image-config.json");
        JsonNode json;
        try {
            json = JSON.readTree(configFile);
        } catch (JacksonException e) {
            throw new ImagePullException(Reason.INVALID_IMAGE, "the stored config of image " + digest
                    + " cannot be read: " + abbreviate(String.valueOf(e.getMessage())), e);
        }
        return ImageConfig.parse(json).toImage(digest, dir.resolve("rootfs"));
    }

    private Path dirFor(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not an image digest (sha256: and 64 lowercase hex digits): " + digest);
        }
        return imagesDir.resolve(digest.replace(':', '-'));
    }

    // --- messages ---

    /** The tool's own message: logrus' msg="..." when there is one, else its trimmed output. */
    private static String toolMessage(String output) {
        Matcher m = LOGRUS_MSG.matcher(output);
        String message = null;
        while (m.find()) {
            message = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if (message == null) {
            message = output.strip().replaceAll("\\s*\\n\\s*", "; ");
            // umoci decorates its lines with bullets
            message = message.replaceAll("[•⨯]\\s*", "").strip();
        }
        return message.isEmpty() ? "(no output)" : abbreviate(message);
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "...";
    }

    /** Every message names the reference, and a timeout says how long it was, whichever step failed. */
    private static ImagePullException withContext(ImageRef ref, Duration timeout, ImagePullException e) {
        String original = String.valueOf(e.getMessage());
        String prefix = "cannot pull " + ref + ": ";
        if (original.startsWith("cannot unpack " + ref)) {
            return e;
        }
        String body = original.startsWith(prefix) ? original.substring(prefix.length()) : original;
        if (e.reason() == Reason.TIMEOUT) {
            body = "timed out after " + timeout.toMillis() / 1000.0 + " s: " + body;
        }
        String message = prefix + body;
        return message.equals(original) ? e : new ImagePullException(e.reason(), message, e.getCause());
    }

    private static ImagePullException scrubbed(ImagePullException e, Optional<RegistryCredentials> creds) {
        if (creds.isEmpty()) {
            return e;
        }
        String message = creds.get().scrub(String.valueOf(e.getMessage()));
        if (message.equals(e.getMessage())) {
            return e;
        }
        return new ImagePullException(e.reason(), message); // the cause could quote the secret too: dropped
    }

    // --- files ---

    /** Removes what pulls of dead processes left in .tmp (a crash, a kill -9), and nothing of live ones. */
    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmpDir)) {
            for (Path entry : entries) {
                Matcher m = TEMP_DIR.matcher(entry.getFileName().toString());
                if (m.matches()) {
                    long pid = Long.parseLong(m.group(1));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                }
                LOG.info("removing leftover image work directory {}", entry.getFileName());
                deleteTree(entry);
            }
        }
    }

    /** Deletes a tree without following links (an image can hold links to anywhere); a failure is logged. */
    static void deleteTree(Path root) {
        try {
            dev.sandpool.sandbox.Trees.deleteRecursively(root);
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("cannot delete {}: {}", root, e.getCause().toString());
        }
    }
}
