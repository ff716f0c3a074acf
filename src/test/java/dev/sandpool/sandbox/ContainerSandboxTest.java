package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.DataSize;
import dev.sandpool.image.Image;
import dev.sandpool.image.ImageStore;
import dev.sandpool.image.TestImages;
import dev.sandpool.testing.TestingRuntime;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandboxes running an OCI image (built offline with umoci) on a per-session overlay of its shared
 * read-only rootfs: the image's command, user, environment and working directory are honoured,
 * its server is reached through the namespace, sessions do not see each other's writes, and what
 * a session writes is bounded by its disk quota.
 */
class ContainerSandboxTest {
    private static final ResourceLimits LIMITS = new ResourceLimits(DataSize.parse("128Mi"), 0.5, 64);

    @TempDir
    Path layouts;

    private static SandboxSpec spec(Image image) {
        return new SandboxSpec(image.command(List.of(), List.of()), image.environment(), LIMITS, Map.of(),
                Optional.of(new SandboxSpec.ContainerRoot(image.rootfs(), image.workingDir(),
                        image.uid().orElse(0), image.gid().orElse(0))));
    }

    @Test
    void theImagesServerAnswersThroughTheNamespaceAndTheSharedImageStaysUntouched() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            ImageStore store = new ImageStore(sandboxes.dataDir.resolve("images"));
            Image httpd = store.pull(TestImages.httpd(layouts.resolve("httpd")).ociRef(), Optional.empty(), Duration.ofSeconds(60));
            Sandbox first = sandboxes.runtime.start(spec(httpd));
            Sandbox second = sandboxes.runtime.start(spec(httpd));
            try {
                String page = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> get(first.connect(8080, Duration.ofSeconds(2)), "/"), p -> p.contains("200"));
                assertThat(page).contains(TestImages.INDEX_HTML.strip());
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> get(second.connect(8080, Duration.ofSeconds(2)), "/"), p -> p.contains("200"));
            } finally {
                first.close();
                second.close();
            }
            // the shared image is untouched, and nothing is left mounted
            assertThat(httpd.rootfs().resolve("www/index.html")).exists();
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(sandboxes.dataDir.toString());
        }
    }

    @Test
    void commandUserEnvironmentAndWorkingDirectoryComeFromTheImage() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            ImageStore store = new ImageStore(sandboxes.dataDir.resolve("images"));
            var built = TestImages.busybox(layouts.resolve("probe"), "v1")
                    .entrypoint("/bin/sh", "-c")
                    .cmd("echo greeting=$GREETING uid=$(id -u) pwd=$(pwd); "
                            + "if [ -e /tmp/mine ]; then echo saw-another; else echo fresh; fi; echo x > /tmp/mine; sleep 60")
                    .env("GREETING=hello")
                    .workingDir("/www")
                    .user("1000:1000")
                    .file("www/index.html", "x")
                    .build();
            Image image = store.pull(built.ociRef(), Optional.empty(), Duration.ofSeconds(60));
            Sandbox first = sandboxes.runtime.start(spec(image));
            await().atMost(Duration.ofSeconds(20)).until(first::consoleTail, c -> c.contains("fresh"));
            Sandbox second = sandboxes.runtime.start(spec(image));
            try {
                String console = await().atMost(Duration.ofSeconds(20)).until(first::consoleTail, c -> c.contains("fresh"));
                assertThat(console).contains("greeting=hello uid=1000 pwd=/www");
                // the second session starts after the first wrote: it must not see that write
                String other = await().atMost(Duration.ofSeconds(20)).until(second::consoleTail,
                        c -> c.contains("fresh") || c.contains("saw-another"));
                assertThat(other).contains("fresh").doesNotContain("saw-another");
            } finally {
                first.close();
                second.close();
            }
        }
    }

    @Test
    void aContainerFillingItsWritableLayerGetsNoSpaceLeftAtTheQuota() throws Exception {
        long quota = 32L << 20;
        try (TestingRuntime sandboxes = new TestingRuntime(quota)) {
            Sandbox filler = startScript(sandboxes, "filler",
                    "dd if=/dev/zero of=/fill bs=1048576 count=1000; echo exit=$? size=$(wc -c < /fill); sleep 60");
            try {
                String console = await().atMost(Duration.ofSeconds(60)).until(filler::consoleTail, c -> c.contains("exit="));
                assertThat(console).contains("No space left on device").contains("exit=1");
                long size = Long.parseLong(console.replaceAll("(?s).*size=\\s*(\\d+).*", "$1"));
                assertThat(size).isGreaterThan(quota - (2 << 20)).isLessThan(quota + quota / 16 + (4 << 20));
            } finally {
                filler.close();
            }
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(sandboxes.dataDir.toString());
        }
    }

    /**
     * A container's stdout is its console log on the host's disk, which the server cuts back every
     * 250 ms (not here: no server runs). Even so it stops at the size of the container's volume: a
     * container writing at full speed put about 280 MiB there in each 250 ms, without end while
     * nothing cut it back. The writer is ended (SIGXFSZ), and here the container with it.
     */
    @Test
    void aContainerFloodingItsConsoleStopsAtTheDiskQuota() throws Exception {
        long quota = 32L << 20;
        try (TestingRuntime sandboxes = new TestingRuntime(quota)) {
            Sandbox flood = startScript(sandboxes, "flood", "while :; do cat /dev/zero; done");
            Path log = sandboxes.dataDir.resolve("sessions").resolve(flood.id()).resolve("ctl").resolve("console.log");
            try {
                long limit = DataVolume.imageLength(quota);
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.size(log) >= quota);
                Thread.sleep(1000);
                assertThat(Files.size(log)).isLessThanOrEqualTo(limit).isGreaterThanOrEqualTo(quota);
                await().atMost(Duration.ofSeconds(20)).until(() -> !flood.isAlive());
                assertThat(Files.size(log)).isLessThanOrEqualTo(limit);
            } finally {
                flood.close();
            }
        }
    }

    /** A sandbox of a busybox image whose command is {@code sh -c script}. */
    private Sandbox startScript(TestingRuntime sandboxes, String name, String script) throws Exception {
        ImageStore store = new ImageStore(sandboxes.dataDir.resolve("images"));
        var built = TestImages.busybox(layouts.resolve(name), "v1").entrypoint("/bin/sh", "-c").cmd(script).build();
        return sandboxes.runtime.start(spec(store.pull(built.ociRef(), Optional.empty(), Duration.ofSeconds(60))));
    }

    private static String get(Socket socket, String path) throws IOException {
        try (socket) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theImagesUserCanChangeAnyImageFileButOnlyInItsOwnSession() throws Exception {
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            ImageStore store = new ImageStore(sandboxes.dataDir.resolve("images"));
            String script = "try() { if ( eval \"$1\" ) 2>/dev/null; then echo \"$2=ok\"; else echo \"$2=denied\"; fi; }; "
                    + "seen=$(cat /www/index.html); try 'echo changed > /www/index.html' www; try 'echo x > /etc/added' etc; "
                    + "try 'mkdir -p /opt/cache && echo x > /opt/cache/f' opt; echo seen=$seen owner=$(ls -ln /etc/passwd); "
                    + "echo done; sleep 60";
            var asRoot = TestImages.busybox(layouts.resolve("root"), "v1").entrypoint("/bin/sh", "-c").cmd(script).build();
            var asApp = TestImages.busybox(layouts.resolve("app"), "v1").entrypoint("/bin/sh", "-c").cmd(script)
                    .user("1000:1000").build();
            Image rootImage = store.pull(asRoot.ociRef(), Optional.empty(), Duration.ofSeconds(60));
            Image appImage = store.pull(asApp.ociRef(), Optional.empty(), Duration.ofSeconds(60));
            Sandbox root = sandboxes.runtime.start(spec(rootImage));
            Sandbox app = sandboxes.runtime.start(spec(appImage));
            try {
                for (var pair : List.of(Map.entry(root, " 0 0 "), Map.entry(app, " 1000 1000 "))) {
                    String saw = await().atMost(Duration.ofSeconds(20)).until(pair.getKey()::consoleTail, c -> c.contains("done"));
                    // the image's files belong to the image's user in the session
                    assertThat(saw).contains("www=ok", "etc=ok", "opt=ok", "seen=" + TestImages.INDEX_HTML.strip(), pair.getValue());
                }
                Sandbox again = sandboxes.runtime.start(spec(rootImage));
                try {
                    // each session wrote into its own layer: a later one sees the image as built
                    String fresh = await().atMost(Duration.ofSeconds(20)).until(again::consoleTail, c -> c.contains("done"));
                    assertThat(fresh).contains("seen=" + TestImages.INDEX_HTML.strip());
                } finally {
                    again.close();
                }
            } finally {
                root.close();
                app.close();
            }
            assertThat(rootImage.rootfs().resolve("www/index.html")).hasContent(TestImages.INDEX_HTML.strip());
            assertThat(rootImage.rootfs().resolve("etc/added")).doesNotExist();
            assertThat(rootImage.rootfs().resolve("opt")).doesNotExist();
            assertThat(Files.getOwner(rootImage.rootfs().resolve("etc/passwd")).getName()).isEqualTo("root");
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(sandboxes.dataDir.toString());
        }
    }
}
