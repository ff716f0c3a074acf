package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.TestingServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Session code that opens files without end, in as many processes as it may start. Every open file
 * is kernel memory charged to the session, so its memory limit ends the attack; what it must never
 * reach is the host's file table (fs.file-max), whose exhaustion makes every other session's open()
 * fail with ENFILE. With the default 1Gi a session can pin about four million files, more than a
 * kernel's default file-max on a machine with less than about 40 GiB of RAM.
 */
class FileTableTest {
    private static final String POOL = "files";
    private static final int ENFILE = 23;
    /**
     * Each child takes what its limits allow and keeps it for a minute; the value is the errors they
     * met. The memory limit may end children, which then report nothing, or the whole session.
     */
    private static final String HOG = """
            import os, resource, time
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            r, w = os.pipe()
            children = 0
            for _ in range(240):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    os.close(r)
                    error = 0
                    try:
                        while True:
                            os.open('/dev/null', os.O_RDONLY)
                    except OSError as e:
                        error = e.errno
                    os.write(w, b'%d\\n' % error)
                    time.sleep(60)
                    os._exit(0)
                children += 1
            os.close(w)
            reported = b''
            while reported.count(b'\\n') < children:
                chunk = os.read(r, 4096)
                if not chunk:
                    break
                reported += chunk
            sorted(set(int(e) for e in reported.split()))""";
    private static TestingServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(new PoolConfig(POOL, null, 4, 2, 300, null, 1.0, PoolConfig.DEFAULT_MEMORY, List.of()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSessionOpeningFilesWithoutEndLeavesTheHostsFileTableToOthers() throws Exception {
        CompletableFuture<JsonNode> hog = CompletableFuture.supplyAsync(() -> run("hog-1", HOG));
        int answered = 0;
        // others open files all through the attack, and once more while its children still hold theirs
        do {
            assertFilesOpenIn("calm-1");
            answered++;
            Thread.sleep(200);
        } while (!hog.isDone());
        assertFilesOpenIn("calm-1");
        JsonNode h = hog.get(200, TimeUnit.SECONDS);
        if (!h.path("stderr").asString().contains("memory limit")) {
            assertThat(h.path("status").asString()).as(h.toString()).isEqualTo("Success");
            assertThat(h.path("result").toString()).as(h.toString()).doesNotContain(Integer.toString(ENFILE));
        }
        assertThat(answered).isPositive();
        assertThat(server.client.deleteSession(POOL, "hog-1").status()).isEqualTo(204);
    }

    /** The session's open-file limits are its own, whatever the server was started with. */
    @Test
    void aSessionStartsWithTheUsualOpenFileLimits() {
        JsonNode p = run("limits-1", "import resource\nresource.getrlimit(resource.RLIMIT_NOFILE)");
        assertThat(p.path("result").get(0).asLong()).as(p.toString()).isEqualTo(1024);
        assertThat(p.path("result").get(1).asLong()).isBetween(1024L, 524_288L);
    }

    private static void assertFilesOpenIn(String identifier) {
        JsonNode p = run(identifier, "import os, json, decimal\nopen('/mnt/data/note', 'w').write('x')\nos.listdir('/mnt/data')");
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        assertThat(p.path("result").toString()).isEqualTo("[\"note\"]");
    }

    private static JsonNode run(String identifier, String code) {
        var response = server.client.execute(POOL, identifier, code, 180);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.properties();
    }
}
