package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ConfigLoader;
import dev.sandpool.config.SandboxConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingRuntime;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A restart loses no session: the server runs as a real child process here, so that it can be
 * killed with SIGKILL or stopped with SIGTERM, and the next server (in this JVM) adopts what it left.
 */
class RestartTest {
    private Path dataDir;
    private SandboxConfig sandbox;
    private Path configFile;
    private int port;
    private Process child;
    private SandpoolServer next;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = TestingRuntime.newDataDir();
        sandbox = TestingRuntime.sandboxConfig();
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        configFile = dataDir.resolve("sandpool.yaml");
        Files.writeString(configFile, """
                server: {host: 127.0.0.1, port: %d, dataDir: %s}
                auth: {mode: none}
                sandbox: {uidBase: %d, uidCount: %d, cgroupParent: %s}
                pools:
                  - {name: keep, maxConcurrentSessions: 4, readySessionInstances: 1, memory: 256Mi}
                  - {name: keep-gv, isolation: gvisor, maxConcurrentSessions: 2, readySessionInstances: 0, memory: 256Mi}
                """.formatted(port, dataDir, sandbox.uidBase(), sandbox.uidCount(), sandbox.cgroupParent()));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (child != null && child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (next != null) {
                next.close();
            }
        } finally {
            TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
        }
    }

    /** The first server, as a child process, started through {@code launcher} (unshare, say) if any. */
    private AzureClient startChild(String... launcher) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new java.util.ArrayList<>(List.of(launcher));
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.sandpool.cli.SandpoolCli", "serve", "--config", configFile.toString()));
        child = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("child.log").toFile()).start();
        AzureClient client = new AzureClient("http://127.0.0.1:" + port, null);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client.send("GET", "/healthz", null).status() == 200);
        return client;
    }

    private AzureClient startNext() throws Exception {
        next = SandpoolServer.start(ConfigLoader.load(configFile));
        return new AzureClient(next.baseUrl(), null);
    }

    @Test
    void afterSigkillTheNextServerReadoptsLiveSessionsAndCleansDeadOnes() throws Exception {
        AzureClient first = startChild();
        first.execute("keep", "survivor-1", "state = 'before the crash'\nopen('/mnt/data/kept.txt', 'w').write('file kept')");
        first.execute("keep", "victim-01", "doomed = True");
        // session code owns its sandbox's root: it moves its volume away and plants a directory in its place
        JsonNode moved = first.execute("keep", "mover-01", "import os\nos.rename('/mnt', '/mnt-moved')\n"
                + "os.makedirs('/mnt/data')\nopen('/mnt/data/planted', 'w').write('x')\nmoved = True").properties();
        assertThat(moved.path("status").asString()).as(moved.toString()).isEqualTo("Success");
        first.execute("keep-gv", "survivor-2", "state = 'gVisor before the crash'\nopen('/mnt/data/kept.txt', 'w').write('kept')");
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        // the sandboxes outlive the server; kill the victim's meanwhile, as an OOM or a crash would
        var registry = sessionsOnDisk();
        assertThat(registry).hasSizeGreaterThanOrEqualTo(2);
        String victimSandbox = sandboxOf("victim-01");
        var victimGroup = dev.sandpool.sandbox.CgroupDriver.detect(Path.of("/sys/fs/cgroup"), sandbox.cgroupParent()).open(victimSandbox);
        victimGroup.killAll();

        AzureClient second = startNext();
        JsonNode back = second.execute("keep", "survivor-1", "state + ' / ' + open('/mnt/data/kept.txt').read()").properties();
        assertThat(back.path("result").asString()).isEqualTo("before the crash / file kept");
        JsonNode backUnderGvisor = second.execute("keep-gv", "survivor-2", "state + ' / ' + open('/mnt/data/kept.txt').read()")
                .properties();
        assertThat(backUnderGvisor.path("result").asString()).as(backUnderGvisor.toString()).isEqualTo("gVisor before the crash / kept");
        JsonNode fresh = second.execute("keep", "victim-01", "'doomed' in dir()").properties();
        assertThat(fresh.path("result").asBoolean()).isFalse();
        // the restarted server finds no volume at the mover's /mnt/data, so it does not take the planted
        // directory for it: the session starts over
        JsonNode over = second.execute("keep", "mover-01", "import os\n('moved' in dir(), os.listdir('/mnt/data'))").properties();
        assertThat(over.path("result").toString()).as(over.toString()).isEqualTo("[false,[]]");
        assertThat(Files.exists(dataDir.resolve("sessions").resolve(victimSandbox))).isFalse();
    }

    /**
     * A session's volume is mounted in its sandbox only once it runs, and found again through the
     * sandbox's root: a server whose predecessor ran in another mount namespace (systemd's
     * PrivateMounts=, unshare -m) still finds the sessions, their state and their files.
     */
    @Test
    void theNextServerReadoptsSessionsStartedFromAnotherMountNamespace() throws Exception {
        AzureClient first = startChild("/usr/bin/unshare", "--mount", "--propagation", "private", "--");
        first.execute("keep", "elsewhere-1", "state = 'from another mount namespace'\n"
                + "open('/mnt/data/kept.txt', 'w').write('file kept')");
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        AzureClient second = startNext();
        JsonNode back = second.execute("keep", "elsewhere-1", "state + ' / ' + open('/mnt/data/kept.txt').read()").properties();
        assertThat(back.path("result").asString()).as(back.toString()).isEqualTo("from another mount namespace / file kept");
        assertThat(second.download("/pools/keep/files/content/kept.txt?identifier=elsewhere-1&api-version="
                + AzureClient.V1).body()).isEqualTo("file kept".getBytes());
    }

    @Test
    void sigtermFinishesTheExecutionInFlightAndLeavesSessionsForTheNextStart() throws Exception {
        AzureClient first = startChild();
        first.execute("keep", "graceful-1", "counter = 1");
        CompletableFuture<AzureClient.Response> inFlight = CompletableFuture.supplyAsync(() ->
                first.execute("keep", "graceful-1",
                        "open('/mnt/data/started', 'w').close()\nimport time\ntime.sleep(3)\ncounter += 1\ncounter"));
        await().atMost(Duration.ofSeconds(30)).until(this::cellStarted);
        child.destroy(); // SIGTERM
        AzureClient.Response answer = inFlight.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.properties().path("result").asInt()).isEqualTo(2);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        AzureClient second = startNext();
        assertThat(second.execute("keep", "graceful-1", "counter").properties().path("result").asInt()).isEqualTo(2);
        assertThat(Files.readString(dataDir.resolve("child.log"))).doesNotContain("graceful-1");
    }

    /** Sandbox ids of the sessions the registry holds, read from the database like an operator would. */
    private List<String> sessionsOnDisk() throws Exception {
        try (var db = dev.sandpool.store.Database.open(dataDir)) {
            return new dev.sandpool.store.SessionRegistry(db).all().stream().map(e -> e.sandbox().id()).toList();
        }
    }

    private String sandboxOf(String identifier) throws Exception {
        // auth is off here, and binding is on: every caller is the anonymous owner
        String hash = dev.sandpool.pool.Identifiers.hash("keep", "anonymous " + identifier);
        try (var db = dev.sandpool.store.Database.open(dataDir)) {
            return new dev.sandpool.store.SessionRegistry(db).all().stream()
                    .filter(e -> e.identifierHash().equals(hash)).findFirst().orElseThrow().sandbox().id();
        }
    }

    /** The cell marks its start in its session's files, seen through its sandbox's root (its volume is mounted there only). */
    private boolean cellStarted() throws Exception {
        try (var db = dev.sandpool.store.Database.open(dataDir)) {
            return new dev.sandpool.store.SessionRegistry(db).all().stream().anyMatch(e ->
                    Files.exists(Path.of("/proc/" + e.sandbox().initPid() + "/root/mnt/data/started")));
        }
    }
}
