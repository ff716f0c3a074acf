package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.Isolation;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * What every built-in pool (PythonLTS, NodeLTS, Shell) does, whichever isolation runs it: one
 * subclass a mode, each against a real server with real sandboxes of that kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BuiltInPoolsContract {
    private static final String V1 = "&api-version=2024-02-02-preview";
    private TestingServer server;
    private AzureClient client;

    abstract Isolation isolation();

    /**
     * How a fork bomb's cell may end: bubblewrap's pids cgroup stops it (or, with copy-on-write pages
     * adding up, the memory limit), and only this session is replaced.
     */
    String[] forkBombEndings() {
        return new String[] {"reached its process limit", "memory limit of 1Gi exceeded"};
    }

    @BeforeAll
    void start() throws Exception {
        server = TestingServer.start(
                pool("python", ContainerType.PythonLTS, "192Mi"),
                pool("node", ContainerType.NodeLTS, "512Mi"),
                pool("shell", ContainerType.Shell, "256Mi"),
                // room for a fork bomb's 256 Python processes, so it meets the process limit before the memory limit
                pool("roomy", ContainerType.PythonLTS, "1Gi"));
        client = server.client;
    }

    private PoolConfig pool(String name, ContainerType type, String memory) {
        return new PoolConfig(name, type, 20, 1, 300, null, 1.0, DataSize.parse(memory), List.of(), null, null, isolation());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    JsonNode run(String pool, String identifier, String code) {
        return client.execute(pool, identifier, code, 60).properties();
    }

    @Test
    void pythonKeepsStateAndRunsAsTheSandboxUserInMntData() {
        JsonNode first = run("python", "py-state", "import os, pwd\nx = 41\nprint('hello')\nx + 1");
        assertThat(first.path("stdout").asString()).isEqualTo("hello\n");
        assertThat(first.path("result").asInt()).isEqualTo(42);
        assertThat(run("python", "py-state", "(x, os.getcwd(), pwd.getpwuid(os.getuid()).pw_name)").path("result").toString())
                .isEqualTo("[41,\"/mnt/data\",\"user\"]");
        assertThat(run("python", "py-other", "'x' in globals()").path("result").asBoolean()).isFalse();
    }

    @Test
    void theSessionRunsUnderThePoolsIsolation() throws Exception {
        String hostKernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        String seen = run("python", "kernel-1", "import platform\nplatform.release()").path("result").asString();
        // gVisor's kernel presents itself as an old Linux; bubblewrap shares the host's kernel
        if (isolation() == Isolation.GVISOR) {
            assertThat(seen).isNotEqualTo(hostKernel).isEqualTo("4.4.0");
        } else {
            assertThat(seen).isEqualTo(hostKernel);
        }
    }

    @Test
    void nodeKeepsState() {
        run("node", "node-state", "const items = [1, 2, 3];");
        JsonNode p = run("node", "node-state", "console.log('hi');\nitems.map(x => x * 2)");
        assertThat(p.path("stdout").asString()).isEqualTo("hi\n");
        assertThat(p.path("result").toString()).isEqualTo("[2,4,6]");
    }

    @Test
    void shellRunsCommandsInMntData() {
        JsonNode p = run("shell", "sh-1", "echo hello > greeting.txt && cat greeting.txt && pwd && exit 3");
        assertThat(p.path("stdout").asString()).isEqualTo("hello\n/mnt/data\n");
        assertThat(p.path("status").asString()).isEqualTo("Failure");
    }

    @Test
    void filesGoBothWaysThroughTheHostDirectoryWithTheSessionsOwnership() throws Exception {
        var up = client.upload("/pools/python/files/upload?identifier=files-1" + V1, "multipart/form-data; boundary=b0undary",
                AzureClient.multipart("b0undary", "form-data; name=\"file\"; filename=\"in.txt\"",
                        "application/octet-stream", "uploaded".getBytes()));
        assertThat(up.status()).isEqualTo(200);
        assertThat(run("python", "files-1", "open('/mnt/data/in.txt').read()").path("result").asString()).isEqualTo("uploaded");
        run("python", "files-1", "import os\nos.makedirs('out', exist_ok=True)\n"
                + "open('out/result.bin', 'wb').write(bytes(range(256)) * 4)");
        assertThat(client.download("/pools/python/files/content/out/result.bin?identifier=files-1" + V1).body())
                .hasSize(1024).startsWith(0, 1, 2, 3);
        try (HeldDirectory data = server.dataOf("python", "files-1")) {
            int uid = (Integer) Files.getAttribute(data.path().resolve("out/result.bin"), "unix:uid");
            assertThat(uid).isGreaterThanOrEqualTo(server.server.config().sandbox().uidBase());
            assertThat((Integer) Files.getAttribute(data.path().resolve("in.txt"), "unix:uid")).isEqualTo(uid);
        }
        assertThat(client.send("DELETE", "/pools/python/files/out/result.bin?identifier=files-1" + V1, null).status())
                .isEqualTo(204);
        assertThat(run("python", "files-1", "import os\nos.listdir('out')").path("result").toString()).isEqualTo("[]");
    }


    @Test
    void aTimeoutInterruptsTheCellAndKeepsTheSession() {
        run("python", "timeout-1", "kept = 'yes'");
        JsonNode p = client.execute("python", "timeout-1", "while True: pass", 1).properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("timed out");
        assertThat(run("python", "timeout-1", "kept").path("result").asString()).isEqualTo("yes");
    }

    @Test
    void aMemoryBombIsReportedAndTheIdentifierGetsAFreshSession() {
        run("python", "membomb-1", "before = 1");
        JsonNode p = run("python", "membomb-1", "hog = bytearray(1024 * 1024 * 1024)");
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("memory limit of 192Mi exceeded");
        assertThat(run("python", "membomb-1", "'works again'").path("result").asString()).isEqualTo("works again");
    }

    @Test
    void theCpuLimitHolds() {
        // two busy threads of a one-core pool: the CPU time the sandbox is granted stays near one core
        JsonNode p = run("python", "cpu-1", """
                import multiprocessing, time, os
                def spin():
                    end = time.time() + 3
                    while time.time() < end: pass
                procs = [multiprocessing.Process(target=spin) for _ in range(2)]
                start = time.time()
                [x.start() for x in procs]; [x.join() for x in procs]
                c = os.times()
                (c.children_user + c.children_system) / (time.time() - start)""");
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        assertThat(p.path("result").asDouble()).isLessThan(1.5);
    }

    @Test
    void aForkBombIsContainedAndTheIdentifierGetsAWorkingSession() {
        JsonNode p = run("roomy", "forkbomb-1", """
                import os
                while True:
                    os.fork()""");
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).containsAnyOf(forkBombEndings());
        assertThat(run("python", "bystander-1", "'fine'").path("result").asString()).isEqualTo("fine");
        JsonNode after = run("roomy", "forkbomb-1", "'alive'");
        assertThat(after.path("result").asString()).as(after.toString()).isEqualTo("alive");
    }

    @Test
    void withoutEgressNotEvenTheHostsLoopbackIsReachable() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            JsonNode p = run("python", "noegress-1", """
                    import socket
                    try:
                        socket.create_connection(('127.0.0.1', %d), timeout=3)
                        outcome = 'connected'
                    except OSError as e:
                        outcome = 'refused'
                    outcome""".formatted(host.getLocalPort()));
            assertThat(p.path("result").asString()).isEqualTo("refused");
        }
    }

    @Test
    void destroyingASessionLeavesNoProcessCgroupOrDirectory() throws Exception {
        JsonNode started = run("python", "cleanup-1", "import subprocess\nsubprocess.Popen(['sleep', '1000'])\n"
                + "open('/mnt/data/marker-cleanup', 'w').write('x')");
        assertThat(started.path("status").asString()).as(started.toString()).isEqualTo("Success");
        String id = server.sandboxOf("python", "cleanup-1").id();
        Path sandboxDir = java.util.stream.Stream.of("sessions", "gvisor-sessions")
                .map(dir -> server.dataDir().resolve(dir).resolve(id)).filter(Files::isDirectory).findFirst().orElseThrow();
        assertThat(SandboxPids.naming(id)).isNotEmpty();
        assertThat(client.deleteSession("python", "cleanup-1").status()).isIn(200, 204);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(sandboxDir).doesNotExist();
            assertThat(SandboxPids.naming(id)).isEmpty();
            assertThat(CgroupDriver.detect(Path.of("/sys/fs/cgroup"), server.server.config().sandbox().cgroupParent())
                    .existing()).doesNotContain(id);
        });
    }
}
