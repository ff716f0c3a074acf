package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Session code that tries to exhaust what it shares with others: threads, CPU, disk space and
 * inodes. Each is stopped at the session's own limit; the host and other sessions do not notice.
 * Memory and fork bombs and a full /tmp are in {@link ContainmentTest}.
 */
class ExhaustionTest {
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    @Test
    void aThreadBombStopsAtThePidsLimit() {
        JsonNode p = hostile.run("threads-01", """
                import threading
                stop = threading.Event()
                started, error = 0, None
                try:
                    while started < 100000:
                        threading.Thread(target=stop.wait, daemon=True).start()
                        started += 1
                except BaseException as e:
                    error = type(e).__name__
                stop.set()
                [started, error]""");
        boolean replaced = p.path("stderr").asString().contains("reached its process limit");
        if (!replaced) {
            assertThat(p.path("result").get(0).asInt()).as(p.toString()).isLessThan(256);
            assertThat(p.path("result").get(1).asString()).isEqualTo("RuntimeError");
        }
        hostile.assertContained("threads-01");
    }

    @Test
    void spinningOnEveryCoreLeavesOtherSessionsServed() throws Exception {
        HeldDirectory data = hostile.dataOf("spin-01");
        Path flag = data.path().resolve("spinning");
        CompletableFuture<JsonNode> spin = CompletableFuture.supplyAsync(() -> hostile.run("spin-01", """
                import os, threading, time
                end = time.time() + 20
                def burn():
                    while time.time() < end:
                        pass
                for _ in range(2 * os.cpu_count()):
                    if os.fork() == 0:
                        burn()
                        os._exit(0)
                for _ in range(os.cpu_count()):
                    threading.Thread(target=burn, daemon=True).start()
                open('/mnt/data/spinning', 'w').close()
                burn()
                os.cpu_count()""", 120));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(flag));
        data.close();
        hostile.assertOthersAnswer();
        JsonNode p = spin.get();
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        hostile.assertContained("spin-01");
    }

    @Test
    void fillingMntDataEndsInEnospcAtTheQuotaAndLeavesTheHostAndOthersAlone() throws Exception {
        JsonNode p = hostile.run("diskfill-01", gigabyteInto("/mnt/data/fill"), 120);
        long quota = HostileServer.DISK_QUOTA.bytes();
        assertThat(p.path("result").get(0).asInt()).as(p.toString()).isEqualTo(28); // ENOSPC
        long size = p.path("result").get(1).asLong();
        assertThat(size).isGreaterThanOrEqualTo(quota - (1 << 20)).isLessThan(quota + quota / 16 + (4 << 20));
        // the file lives in the session's own volume, which cannot grow: the host's disk lends it no more
        try (HeldDirectory data = hostile.dataOf("diskfill-01")) {
            assertThat(Files.getAttribute(data.path(), "unix:dev")).isNotEqualTo(Files.getAttribute(hostile.server.dataDir(), "unix:dev"));
        }
        JsonNode volume = hostile.run("diskfill-01", "import os\ns = os.statvfs('/mnt/data')\ns.f_blocks * s.f_frsize");
        assertThat(volume.path("result").asLong()).isLessThan(quota + quota / 16 + (4 << 20));
        // uploads into the full session get the quota error; another session has its whole quota
        var upload = hostile.client.upload("/pools/" + HostileServer.PYTHON + "/files/upload?identifier=diskfill-01&api-version="
                + dev.sandpool.testing.AzureClient.V1, "multipart/form-data; boundary=zz",
                dev.sandpool.testing.AzureClient.multipart("zz", "form-data; name=\"file\"; filename=\"more.bin\"", null,
                        new byte[4 << 20]));
        assertThat(upload.status()).as(upload.body()).isEqualTo(413);
        assertThat(upload.header("x-ms-error-code")).isEqualTo("SessionQuotaExceeded");
        JsonNode other = hostile.run("diskfill-02", """
                with open('/mnt/data/half', 'wb') as f:
                    f.write(b'y' * (%d // 2))
                'stored'""".formatted(quota));
        assertThat(other.path("result").asString()).as(other.toString()).isEqualTo("stored");
        // the session itself goes on, and gets its space back by deleting
        JsonNode freed = hostile.run("diskfill-01", "import os\nos.remove('/mnt/data/fill')\n"
                + "open('/mnt/data/after', 'wb').write(b'z' * (1 << 20))");
        assertThat(freed.path("result").asInt()).as(freed.toString()).isEqualTo(1 << 20);
        hostile.assertContained("diskfill-01");
    }

    /**
     * /run/sandpool, where the driver's socket lives, is writable by session code. It was once a
     * plain host directory, where a session wrote past its quota onto the host's disk; it is on the
     * session's volume now, under the same quota.
     */
    @Test
    void fillingRunSandpoolStopsAtTheSameQuota() throws Exception {
        JsonNode p = hostile.run("runfill-01", gigabyteInto("/run/sandpool/fill"), 120);
        long quota = HostileServer.DISK_QUOTA.bytes();
        assertThat(p.path("result").get(0).asInt()).as(p.toString()).isEqualTo(28); // ENOSPC
        assertThat(p.path("result").get(1).asLong()).isLessThan(quota + quota / 16 + (4 << 20));
        JsonNode devices = hostile.run("runfill-01", "import os\n[os.stat(d).st_dev for d in ('/run/sandpool', '/mnt/data')]");
        assertThat(devices.path("result").get(0)).isEqualTo(devices.path("result").get(1));
        try (HeldDirectory data = hostile.dataOf("runfill-01")) {
            assertThat(Files.getAttribute(data.path(), "unix:dev")).isNotEqualTo(Files.getAttribute(hostile.server.dataDir(), "unix:dev"));
        }
        // the driver's socket is still there, and the space comes back
        assertThat(hostile.run("runfill-01", "import os\nos.remove('/run/sandpool/fill')\n'alive'").path("result")
                .asString()).isEqualTo("alive");
        hostile.assertOthersAnswer();
    }

    @Test
    void runningOutOfInodesInMntDataIsTheSessionsOwnProblem() {
        JsonNode p = hostile.run("inodes-01", emptyFilesIn("/mnt/data/many", 1_000_000), 180);
        assertThat(p.path("result").get(0).asInt()).as(p.toString()).isEqualTo(28); // ENOSPC: no inode left
        assertThat(p.path("result").get(1).asInt()).isLessThan(1000000);
        hostile.assertOthersAnswer();
        JsonNode other = hostile.run("inodes-02", "open('/mnt/data/one', 'w').close()\nimport os\nos.listdir('/mnt/data')");
        assertThat(other.path("result").toString()).isEqualTo("[\"one\"]");
        hostile.assertWorksOrReplaced("inodes-01");
    }

    /** /tmp is a tmpfs whose inodes are kernel memory, charged to the session: the memory limit ends the flood. */
    @Test
    void aFloodOfFilesInTmpStopsAtTheSessionsLimits() {
        JsonNode p = hostile.run("tmpinodes-01", emptyFilesIn("/tmp/many", 3_000_000), 200);
        if (p.path("status").asString().equals("Success")) {
            assertThat(p.path("result").get(0).asInt()).as(p.toString()).isIn(12, 28); // ENOMEM, ENOSPC
        } else {
            assertThat(p.path("stderr").asString()).as(p.toString()).contains("memory limit");
        }
        hostile.assertContained("tmpinodes-01");
    }

    /** Python making up to {@code most} empty files in a new directory; its value is [errno or None, count]. */
    /** Python writing up to 1 GiB into {@code file}, then syncing it; its value is [errno or None, the file's size]. */
    private static String gigabyteInto(String file) {
        return """
                import os
                written, error = 0, None
                try:
                    with open('%s', 'wb') as f:
                        while written < (1 << 30):
                            f.write(b'x' * (1 << 20))
                            written += 1 << 20
                        f.flush()
                        os.fsync(f.fileno())
                except OSError as e:
                    error = e.errno
                [error, os.path.getsize('%s')]""".formatted(file, file);
    }

    private static String emptyFilesIn(String dir, int most) {
        return """
                import os
                os.mkdir('%s')
                made, error = 0, None
                try:
                    while made < %d:
                        open('%s/%%d' %% made, 'w').close()
                        made += 1
                except OSError as e:
                    error = e.errno
                [error, made]""".formatted(dir, most, dir);
    }

    @Test
    void aShellSessionFillingItsDiskGetsNoSpaceLeft() {
        JsonNode p = hostile.shell("shfill-01", "head -c 200M /dev/zero > /mnt/data/fill; echo exit=$?; "
                + "df --output=size -B1 /mnt/data | tail -1");
        String[] lines = p.path("stdout").asString().strip().split("\n");
        assertThat(lines[0]).as(p.toString()).isEqualTo("exit=1");
        assertThat(p.path("stderr").asString()).contains("No space left on device");
        assertThat(Long.parseLong(lines[1].strip())).isLessThan(HostileServer.DISK_QUOTA.bytes() * 2);
        hostile.assertOthersAnswer();
        hostile.assertShellWorksOrReplaced("shfill-01");
    }
}
