package dev.sandpool.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sandpool.image.ImagePullException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The store against real skopeo, umoci and docker-registry, all on 127.0.0.1, with images built
 * offline from busybox-static.
 */
class ImageStoreTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "puller";
    private static final String PASSWORD = "pw-Zq8!x-never-shown";

    @TempDir
    static Path shared;
    static TestImages.Built httpd;
    static TestRegistry registry;
    static TestRegistry authRegistry;

    @TempDir
    Path imagesDir;
    ImageStore store;

    @BeforeAll
    static void buildAndServe() throws IOException {
        httpd = TestImages.httpd(shared.resolve("httpd-layout"));
        registry = TestRegistry.start(shared.resolve("registry"));
        registry.push(httpd, "test/busybox:v1", null);
        authRegistry = TestRegistry.startWithAuth(shared.resolve("auth-registry"), USER, PASSWORD);
        authRegistry.push(httpd, "private/busybox:v1", USER + ":" + PASSWORD);
    }

    @AfterAll
    static void stopRegistries() {
        if (registry != null) {
            registry.close();
        }
        if (authRegistry != null) {
            authRegistry.close();
        }
    }

    @BeforeEach
    void newStore() throws IOException {
        store = new ImageStore(imagesDir);
    }

    private Image pull(String ref) throws ImagePullException {
        return store.pull(ImageRef.parse(ref), Optional.empty(), TIMEOUT);
    }

    @Test
    void pullsFromARegistryAndHonoursTheConfig() throws Exception {
        Image image = pull(registry.ref("test/busybox:v1"));

        assertThat(image.digest()).matches("sha256:[a-f0-9]{64}");
        assertThat(image.rootfs()).isEqualTo(imagesDir.toAbsolutePath().resolve(image.digest().replace(':', '-'))
                .resolve("rootfs"));
        assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile().isExecutable();
        assertThat(Files.isSymbolicLink(image.rootfs().resolve("bin/httpd"))).isTrue();
        assertThat(image.rootfs().resolve("www/index.html")).hasContent(TestImages.INDEX_HTML.strip());
        assertThat(image.entrypoint()).containsExactly("/bin/busybox");
        assertThat(image.cmd()).containsExactly("httpd", "-f", "-p", "8080");
        assertThat(image.env()).contains("GREETING=hello");
        assertThat(image.environment()).containsEntry("GREETING", "hello");
        assertThat(image.workingDir()).isEqualTo("/www");
        assertThat(image.uid()).contains(1000);
        assertThat(image.gid()).contains(1000);
        assertThat(image.exposedPorts()).containsExactly("8080/tcp");
        assertThat(image.exposedTcpPorts()).containsExactly(8080);
        assertThat(image.command(null, null)).containsExactly("/bin/busybox", "httpd", "-f", "-p", "8080");
        assertThat(store.digests()).containsExactly(image.digest());
        assertThat(store.find(image.digest())).contains(image);
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void theSharedRootfsIsWorldReadableAndWritableByNoOneElse() throws Exception {
        Image image = pull(registry.ref("test/busybox:v1"));
        try (Stream<Path> tree = Files.walk(image.rootfs())) {
            for (Path p : tree.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                assertThat(mode).as(p.toString()).contains(PosixFilePermission.OTHERS_READ)
                        .doesNotContain(PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_WRITE);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    assertThat(mode).as(p.toString()).contains(PosixFilePermission.OTHERS_EXECUTE);
                }
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(0);
            }
        }
    }

    @Test
    void aSecondPullOfTheSameDigestReusesTheUnpackedTree() throws Exception {
        Image first = pull(registry.ref("test/busybox:v1"));
        Object inode = Files.getAttribute(first.rootfs(), "unix:ino");
        // a re-unpack would replace the directory and lose this
        Path marker = first.rootfs().resolveSibling("test-marker");
        Files.writeString(marker, "still here");

        Image second = pull(registry.ref("test/busybox:v1"));

        assertThat(second).isEqualTo(first);
        assertThat(Files.getAttribute(second.rootfs(), "unix:ino")).isEqualTo(inode);
        assertThat(marker).hasContent("still here");
        // the same content from a local layout lands on the same address
        Image local = store.pull(httpd.ociRef(), Optional.empty(), TIMEOUT);
        assertThat(local.rootfs()).isEqualTo(first.rootfs());
        assertThat(marker).exists();
    }

    @Test
    void anIncompleteImageDirectoryIsReplaced() throws Exception {
        Image image = pull(registry.ref("test/busybox:v1"));
        Files.delete(image.rootfs().resolveSibling("image-config.json"));
        Image again = pull(registry.ref("test/busybox:v1"));
        assertThat(again).isEqualTo(image);
        assertThat(image.rootfs().resolveSibling("image-config.json")).isRegularFile();
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void concurrentPullsOfOneImageUnpackItOnce() throws Exception {
        List<Future<Image>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> pull(registry.ref("test/busybox:v1"))));
            }
        }
        Image first = results.getFirst().get();
        for (Future<Image> result : results) {
            assertThat(result.get().rootfs()).isEqualTo(first.rootfs());
        }
        try (Stream<Path> entries = Files.list(imagesDir)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(".tmp", first.digest().replace(':', '-'));
        }
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void localLayoutsAndArchivesWork() throws Exception {
        Path ociArchive = shared.resolve("httpd-oci.tar");
        Path dockerArchive = shared.resolve("httpd-docker.tar");
        if (!Files.exists(ociArchive)) {
            TestImages.copy(httpd.skopeoRef(), "oci-archive:" + ociArchive + ":v1");
            TestImages.copy(httpd.skopeoRef(), "docker-archive:" + dockerArchive + ":test/busybox:v1");
        }

        Image fromLayout = store.pull(ImageRef.parse("oci:" + httpd.layout() + ":v1"), Optional.empty(), TIMEOUT);
        Image fromLayoutUntagged = store.pull(ImageRef.parse("oci:" + httpd.layout()), Optional.empty(), TIMEOUT);
        Image fromOciArchive = store.pull(ImageRef.parse("oci-archive:" + ociArchive), Optional.empty(), TIMEOUT);
        Image fromDockerArchive = store.pull(ImageRef.parse("docker-archive:" + dockerArchive), Optional.empty(),
                TIMEOUT);

        assertThat(fromLayoutUntagged.digest()).isEqualTo(fromLayout.digest());
        assertThat(fromOciArchive.digest()).isEqualTo(fromLayout.digest());
        // docker-archive holds a Docker schema 2 manifest; converted back to OCI it has another digest
        for (Image image : List.of(fromLayout, fromOciArchive, fromDockerArchive)) {
            assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
            assertThat(image.cmd()).containsExactly("httpd", "-f", "-p", "8080");
            assertThat(image.workingDir()).isEqualTo("/www");
            assertThat(image.uid()).contains(1000);
        }
    }

    @Test
    void aMissingTagOrImageFailsQuicklyAndClearly() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> pull(registry.ref("test/busybox:nope")))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains(registry.ref("test/busybox:nope"), "not found",
                            "manifest unknown");
                });
        assertThatThrownBy(() -> pull(registry.ref("test/nothing-here:v1")))
                .isInstanceOfSatisfying(ImagePullException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
        assertThatThrownBy(() -> pull("oci-archive:" + shared.resolve("no-such.tar")))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("no such file");
                });
        assertThatThrownBy(() -> pull("oci:" + httpd.layout() + ":v2"))
                .isInstanceOfSatisfying(ImagePullException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(tmpEntries()).isEmpty();
        assertThat(store.digests()).isEmpty();
    }

    @Test
    void aPortWithNothingListeningFailsAtOnce() throws Exception {
        int port = TestRegistry.freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.pull(ImageRef.parse("127.0.0.1:" + port + "/test/busybox:v1"), Optional.empty(),
                Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
                    assertThat(e.getMessage()).contains("unreachable", "connection refused");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void aRegistryThatNeverAnswersIsCutOffAtTheTimeout() throws Exception {
        // the kernel completes the TCP handshake into the backlog; nothing ever reads or answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ImageRef ref = ImageRef.parse("127.0.0.1:" + silent.getLocalPort() + "/test/busybox:v1");
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.pull(ref, Optional.empty(), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(ImagePullException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        assertThat(e.getMessage()).isEqualTo("cannot pull " + ref + ": timed out after 2.0 s: skopeo"
                                + " copy did not finish in time and was killed");
                    });
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(toolProcessesUsing(imagesDir)).isEmpty();
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void credentialsOpenAPrivateRegistryAndNeverShow() throws Exception {
        ListAppender<ILoggingEvent> logs = captureLogs();
        try {
            ImageRef ref = ImageRef.parse(authRegistry.ref("private/busybox:v1"));
            RegistryCredentials right = new RegistryCredentials(authRegistry.hostPort(), USER, PASSWORD);
            RegistryCredentials wrong = new RegistryCredentials(authRegistry.hostPort(), USER, PASSWORD + "-wrong");
            RegistryCredentials otherServer = new RegistryCredentials("127.0.0.1:1", USER, PASSWORD);

            Image image = store.pull(ref, Optional.of(right), TIMEOUT);
            assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
            assertThat(image.cmd()).containsExactly("httpd", "-f", "-p", "8080");

            List<String> messages = new ArrayList<>();
            for (Optional<RegistryCredentials> creds : List.of(Optional.of(wrong), Optional.<RegistryCredentials>empty(),
                    Optional.of(otherServer))) {
                ImageStore fresh = new ImageStore(imagesDir.resolve("fresh-" + messages.size()));
                assertThatThrownBy(() -> fresh.pull(ref, creds, TIMEOUT))
                        .isInstanceOfSatisfying(ImagePullException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
                            assertThat(e.getMessage()).containsIgnoringCase("unauthorized");
                            messages.add(e.getMessage());
                        });
            }
            for (String secret : secretForms()) {
                assertThat(messages).noneMatch(m -> m.contains(secret));
                assertThat(logs.list).noneMatch(event -> event.getFormattedMessage().contains(secret));
                assertThat(right.toString()).doesNotContain(secret);
            }
            assertThat(logs.list).anyMatch(event -> event.getFormattedMessage().contains("image pull failed"));
            assertThat(tmpEntries()).isEmpty();
        } finally {
            releaseLogs(logs);
        }
    }

    @Test
    void thePasswordIsNeverOnACommandLine() throws Exception {
        // a registry that never answers keeps skopeo running long enough to look at every process
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String hostPort = "127.0.0.1:" + silent.getLocalPort();
            ImageRef ref = ImageRef.parse(hostPort + "/private/busybox:v1");
            RegistryCredentials creds = new RegistryCredentials(hostPort, USER, PASSWORD);
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            Thread pull = Thread.ofPlatform().start(() -> {
                try {
                    store.pull(ref, Optional.of(creds), Duration.ofSeconds(3));
                } catch (ImagePullException expected) {
                    // the timeout
                }
            });
            while (pull.isAlive()) {
                ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(seen::add));
                Thread.sleep(100);
            }
            assertThat(seen).anyMatch(cmd -> cmd.contains("skopeo") && cmd.contains(hostPort));
            for (String secret : secretForms()) {
                assertThat(seen).noneMatch(cmd -> cmd.contains(secret));
            }
        }
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void anImageForAnotherCpuIsRefusedBeforeUnpacking() throws Exception {
        String host = ImageConfig.hostArchitecture();
        String other = host.equals("arm64") ? "amd64" : "arm64";
        TestImages.Built foreign = TestImages.busybox(shared.resolve("foreign-layout"), "v1")
                .architecture(other).cmd("sh").build();
        assertThatThrownBy(() -> store.pull(foreign.ociRef(), Optional.empty(), TIMEOUT))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_IMAGE);
                    assertThat(e.getMessage()).contains("linux/" + other, "this host runs linux/" + host);
                });
        assertThat(store.digests()).isEmpty();
    }

    @Test
    void namedUsersResolveAgainstTheImageAndUnknownOnesAreRefused() throws Exception {
        Path layout = shared.resolve("users-layout");
        TestImages.busybox(layout, "named").user("app").cmd("id").build();
        TestImages.busybox(layout, "group").user("nobody:staff").cmd("id").build();
        TestImages.busybox(layout, "uidonly").user("1000").cmd("id").build();
        TestImages.busybox(layout, "ghost").user("ghost").cmd("id").build();

        Image named = store.pull(ImageRef.parse("oci:" + layout + ":named"), Optional.empty(), TIMEOUT);
        assertThat(named.uid()).contains(1000);
        assertThat(named.gid()).contains(1000);
        Image group = store.pull(ImageRef.parse("oci:" + layout + ":group"), Optional.empty(), TIMEOUT);
        assertThat(group.uid()).contains(65534);
        assertThat(group.gid()).contains(50);
        Image uidOnly = store.pull(ImageRef.parse("oci:" + layout + ":uidonly"), Optional.empty(), TIMEOUT);
        assertThat(uidOnly.uid()).contains(1000);
        assertThat(uidOnly.gid()).contains(1000);

        List<String> before = store.digests();
        assertThatThrownBy(() -> store.pull(ImageRef.parse("oci:" + layout + ":ghost"), Optional.empty(), TIMEOUT))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INVALID_IMAGE);
                    assertThat(e.getMessage()).isEqualTo("cannot pull oci:" + layout + ":ghost: the image's User"
                            + " 'ghost' is not in the image's /etc/passwd");
                });
        assertThat(store.digests()).isEqualTo(before);
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void anUnpackFailurePublishesNothing() throws Exception {
        ImageStore broken = new ImageStore(imagesDir, "skopeo", "/bin/false");
        assertThatThrownBy(() -> broken.pull(httpd.ociRef(), Optional.empty(), TIMEOUT))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNPACK_FAILED);
                    assertThat(e.getMessage()).startsWith("cannot unpack " + httpd.ociRef() + ": umoci");
                });
        assertThat(store.digests()).isEmpty();
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void aHangingUnpackIsKilledWithItsChildren() throws Exception {
        // a stand-in umoci that starts a child and never finishes
        Path hanging = shared.resolve("hanging-umoci");
        Files.writeString(hanging, "#!/bin/sh\nsleep 300 &\necho $! > " + shared.resolve("hanging-child.pid")
                + "\nwait\n");
        hanging.toFile().setExecutable(true);
        ImageStore slow = new ImageStore(imagesDir, "skopeo", hanging.toString());
        long start = System.nanoTime();
        assertThatThrownBy(() -> slow.pull(httpd.ociRef(), Optional.empty(), Duration.ofSeconds(3)))
                .isInstanceOfSatisfying(ImagePullException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                    assertThat(e.getMessage()).contains("timed out after 3.0 s", "umoci unpack did not finish");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        long child = Long.parseLong(Files.readString(shared.resolve("hanging-child.pid")).strip());
        // SIGKILL is delivered, and the orphan reaped by init, a moment after destroyForcibly() returns
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
        assertThat(store.digests()).isEmpty();
        assertThat(tmpEntries()).isEmpty();
    }

    @Test
    void removeDeletesAnUnpackedImage() throws Exception {
        Image image = pull(registry.ref("test/busybox:v1"));
        assertThat(store.remove(image.digest())).isTrue();
        assertThat(image.rootfs()).doesNotExist();
        assertThat(store.digests()).isEmpty();
        assertThat(store.find(image.digest())).isEmpty();
        assertThat(store.remove(image.digest())).isFalse();
        assertThat(tmpEntries()).isEmpty();
        // and it can come back
        assertThat(pull(registry.ref("test/busybox:v1")).rootfs()).isEqualTo(image.rootfs());
        assertThatThrownBy(() -> store.remove("sha256:../../etc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leftoversOfDeadProcessesAreRemovedAtStart() throws Exception {
        Path tmp = imagesDir.resolve(".tmp");
        Path dead = Files.createDirectories(tmp.resolve("pull-" + Integer.MAX_VALUE + "-123/layout"));
        Path stray = Files.createDirectories(tmp.resolve("something-else"));
        Path live = Files.createDirectories(tmp.resolve("pull-" + ProcessHandle.current().pid() + "-456"));

        new ImageStore(imagesDir);

        assertThat(dead.getParent()).doesNotExist();
        assertThat(stray).doesNotExist();
        assertThat(live).exists();
        Files.delete(live);
    }

    private List<String> tmpEntries() throws IOException {
        try (Stream<Path> entries = Files.list(imagesDir.resolve(".tmp"))) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static List<String> toolProcessesUsing(Path dir) {
        String needle = dir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .flatMap(p -> p.info().commandLine().stream())
                .filter(cmd -> cmd.contains(needle))
                .toList();
    }

    private static List<String> secretForms() {
        return List.of(PASSWORD, Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.sandpool.image");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        return appender;
    }

    private static void releaseLogs(ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.sandpool.image");
        logger.detachAppender(appender);
        logger.setLevel(null);
    }
}
