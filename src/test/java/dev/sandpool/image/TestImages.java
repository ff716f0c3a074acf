package dev.sandpool.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds small OCI images offline, with umoci and Debian's static busybox, for tests (this package's
 * and the custom-container pool's). Nothing is downloaded: the only binary in an image is the host's
 * {@code /bin/busybox} (package busybox-static), with applet symlinks.
 *
 * <pre>
 * TestImages.Built img = TestImages.httpd(tempDir.resolve("httpd"));        // a ready-made web server
 * TestImages.Built custom = TestImages.busybox(dir, "v1").cmd("sleep", "600").build();
 * ImageRef ref = img.ociRef();                                            // oci:/.../httpd:v1
 * TestImages.copy(img.ociRef().toString(), "oci-archive:" + tar);       // any skopeo destination
 * </pre>
 */
public final class TestImages {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    /** Applets linked in every image (busybox-static has them all; these are what tests use). */
    public static final List<String> APPLETS = List.of("sh", "httpd", "echo", "cat", "id", "env", "sleep", "ls",
            "pwd", "wget", "nc", "true", "false");
    public static final String INDEX_HTML = "<h1>hello from a busybox image</h1>\n";

    private TestImages() {}

    /** A built image: an OCI layout directory and the tag inside it. */
    public record Built(Path layout, String tag) {
        public ImageRef ociRef() {
            return ImageRef.parse("oci:" + layout + ":" + tag);
        }

        /** skopeo's text for this image as a source. */
        public String skopeoRef() {
            return "oci:" + layout + ":" + tag;
        }
    }

    /**
     * The reference image: busybox {@code httpd -f -p 8080} serving {@code /www/index.html}
     * ({@link #INDEX_HTML}), env {@code GREETING=hello}, working directory {@code /www}, user
     * {@code 1000:1000} (named {@code app} in its /etc/passwd), port 8080/tcp exposed.
     */
    public static Built httpd(Path layout) {
        return busybox(layout, "v1")
                .entrypoint("/bin/busybox")
                .cmd("httpd", "-f", "-p", "8080")
                .env("GREETING=hello")
                .workingDir("/www")
                .user("1000:1000")
                .exposedPort("8080/tcp")
                .build();
    }

    /** A builder for an image with busybox, its applets, /etc/passwd (root, app=1000) and /www/index.html. */
    public static Builder busybox(Path layout, String tag) {
        return new Builder(layout, tag);
    }

    public static final class Builder {
        private final Path layout;
        private final String tag;
        private final Map<String, String> files = new LinkedHashMap<>();
        private final List<String> configArgs = new ArrayList<>();

        private Builder(Path layout, String tag) {
            this.layout = layout;
            this.tag = tag;
            files.put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            files.put("etc/group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n");
            files.put("www/index.html", INDEX_HTML);
        }

        /** A text file at {@code relative} (no leading '/') inside the image; replaces a default one. */
        public Builder file(String relative, String content) {
            files.put(relative, content);
            return this;
        }

        public Builder entrypoint(String... args) {
            for (String a : args) {
                configArgs.add("--config.entrypoint=" + a);
            }
            return this;
        }

        public Builder cmd(String... args) {
            for (String a : args) {
                configArgs.add("--config.cmd=" + a);
            }
            return this;
        }

        public Builder env(String... entries) {
            for (String e : entries) {
                configArgs.add("--config.env=" + e);
            }
            return this;
        }

        public Builder workingDir(String dir) {
            configArgs.add("--config.workingdir=" + dir);
            return this;
        }

        public Builder user(String user) {
            configArgs.add("--config.user=" + user);
            return this;
        }

        public Builder exposedPort(String port) {
            configArgs.add("--config.exposedports=" + port);
            return this;
        }

        /** The image's platform (umoci writes the host's by default). */
        public Builder architecture(String arch) {
            configArgs.add("--architecture=" + arch);
            return this;
        }

        public Built build() {
            try {
                Path work = Files.createTempDirectory("sandpool-testimage-");
                try {
                    String image = layout + ":" + tag;
                    if (!Files.exists(layout.resolve("index.json"))) {
                        run("umoci", "init", "--layout", layout.toString());
                    }
                    run("umoci", "new", "--image", image);
                    Path bundle = work.resolve("bundle");
                    // unpack the empty image so that repack records our files as one layer
                    run("umoci", "unpack", "--rootless", "--image", image, bundle.toString());
                    Path rootfs = bundle.resolve("rootfs");
                    Files.createDirectories(rootfs.resolve("bin"));
                    Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
                    for (String applet : APPLETS) {
                        Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
                    }
                    Files.createDirectories(rootfs.resolve("tmp"));
                    for (Map.Entry<String, String> file : files.entrySet()) {
                        Path target = rootfs.resolve(file.getKey());
                        Files.createDirectories(target.getParent());
                        Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
                    }
                    run("umoci", "repack", "--image", image, bundle.toString());
                    if (!configArgs.isEmpty()) {
                        List<String> config = new ArrayList<>(List.of("umoci", "config", "--image", image));
                        config.addAll(configArgs);
                        run(config.toArray(String[]::new));
                    }
                    // drop the blobs that repack and config superseded, so the layout is what a registry holds
                    run("umoci", "gc", "--layout", layout.toString());
                } finally {
                    ImageStore.deleteTree(work);
                }
                return new Built(layout, tag);
            } catch (IOException e) {
                throw new IllegalStateException("cannot build test image " + layout + ":" + tag, e);
            }
        }
    }

    /** {@code skopeo copy} with TLS verification off at both ends (the tests' registries are plain HTTP on loopback). */
    public static void copy(String source, String destination, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet",
                "--src-tls-verify=false", "--dest-tls-verify=false"));
        command.addAll(List.of(extraArgs));
        command.add(source);
        command.add(destination);
        run(command.toArray(String[]::new));
    }

    /** Runs a tool to completion (at most two minutes), failing with its output when it fails. */
    public static String run(String... command) {
        try {
            Path output = Files.createTempFile("sandpool-testimage-", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(output.toFile()).start();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 2 minutes");
                }
                String text = Files.readString(output);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command[0], e);
        }
    }
}
