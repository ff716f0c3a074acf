package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.V2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session code swaps a directory of /mnt/data for a symlink (to a host directory, and to
 * {@code ../..}, the session's directory on the host) in a tight loop, while the server uploads,
 * downloads, lists and deletes through that directory from several threads. The server opens every
 * component with O_NOFOLLOW relative to its parent, so it must never read, write or delete outside
 * the session's /mnt/data, however the race falls.
 */
class SymlinkRaceTest {
    private static final String ID = "symlink-race-0001";
    private static final String SECRET = "host secret, never to be served";
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();
    private static Path outside;

    @BeforeAll
    static void hostDirectoryOutside() throws Exception {
        outside = Files.createTempDirectory("sandpool-race-");
        Files.writeString(outside.resolve("f.txt"), SECRET);
        Files.writeString(outside.resolve("victim.txt"), SECRET);
        Files.writeString(outside.resolve("host-only.txt"), SECRET);
        outside.toFile().setReadable(true, false);
        outside.toFile().setExecutable(true, false);
    }

    @AfterAll
    static void removeIt() throws Exception {
        try (var files = Files.list(outside)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(outside);
    }

    @Test
    void theServerNeverLeavesMntDataWhileCodeSwapsDirectoriesForSymlinks() throws Exception {
        var client = SERVER.get().client;
        String setup = client.execute(POOL, ID, """
                import os, shutil, threading, time
                def fresh():
                    os.makedirs('/mnt/data/dir', exist_ok=True)
                    open('/mnt/data/dir/f.txt', 'w').write('inside')
                    open('/mnt/data/dir/victim.txt', 'w').write('inside')
                def restore():
                    # the server may have made a new 'dir' while it was missing: session code owns it, so it goes
                    for _ in range(100):
                        try:
                            os.rename('/mnt/data/parked', '/mnt/data/dir')
                            return
                        except OSError:
                            try:
                                if os.path.islink('/mnt/data/dir'):
                                    os.unlink('/mnt/data/dir')
                                else:
                                    shutil.rmtree('/mnt/data/dir')
                            except OSError:
                                pass
                def swap(targets):
                    end = time.time() + 600
                    while time.time() < end and not os.path.exists('/mnt/data/stop'):
                        for target in targets:
                            try:
                                if not os.path.isdir('/mnt/data/dir'):
                                    fresh()
                                os.rename('/mnt/data/dir', '/mnt/data/parked')
                                os.symlink(target, '/mnt/data/dir')
                                time.sleep(0.002)
                                os.unlink('/mnt/data/dir')
                            except OSError:
                                pass
                            restore()
                            time.sleep(0.002)
                fresh()
                threading.Thread(target=swap, args=([%s, '../..'],), daemon=True).start()
                'swapping'
                """.formatted("'" + outside + "'")).properties().path("result").asString();
        assertThat(setup).isEqualTo("swapping");

        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> leaks = java.util.Collections.synchronizedList(new ArrayList<>());
        Instant end = Instant.now().plus(Duration.ofSeconds(120));
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            workers.add(Thread.ofVirtual().start(() -> {
                int round = 0;
                // until both sides of the race have been seen often enough, within a bound
                while (Instant.now().isBefore(end) && !(count(outcomes, "read-inside") >= 20 && count(outcomes, "read-refused") >= 20)) {
                    race(client, worker, round++, outcomes, leaks);
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        client.execute(POOL, ID, "open('/mnt/data/stop', 'w').write('1')");

        assertThat(leaks).isEmpty();
        assertThat(count(outcomes, "read-inside")).as(outcomes.toString()).isGreaterThanOrEqualTo(20);
        assertThat(count(outcomes, "read-refused")).as(outcomes.toString()).isGreaterThanOrEqualTo(20);
        try (var files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("f.txt", "host-only.txt", "victim.txt");
        }
        assertThat(Files.readString(outside.resolve("f.txt"))).isEqualTo(SECRET);
        assertThat(Files.readString(outside.resolve("victim.txt"))).isEqualTo(SECRET);
    }

    private static int count(Map<String, AtomicInteger> outcomes, String key) {
        return outcomes.getOrDefault(key, new AtomicInteger()).get();
    }

    private static void race(AzureClient client, int worker, int round, Map<String, AtomicInteger> outcomes, List<String> leaks) {
        String base = "/pools/" + POOL + "/files";
        var read = client.download(base + "/content/dir/f.txt?identifier=" + ID + V1);
        String text = new String(read.body());
        if (text.contains(SECRET)) {
            leaks.add("download served the host file");
        }
        outcomes.computeIfAbsent(read.statusCode() == 200 ? "read-inside" : "read-refused", k -> new AtomicInteger()).incrementAndGet();
        assertThat(read.statusCode()).isLessThan(500);

        var list = client.send("GET", base + "?identifier=" + ID + V2 + "&path=dir&recursive=true", null);
        assertThat(list.status()).as(list.body()).isLessThan(500);
        if (list.body().contains("host-only") || list.body().contains("\"ctl\"") || list.body().contains("\"run\"")) {
            leaks.add("listing showed the session's host directory: " + list.body());
        }

        String name = "hx7q-up-" + worker + "-" + round + ".txt";
        var up = client.upload(base + "/upload?identifier=" + ID + V1, "multipart/form-data; boundary=b",
                AzureClient.multipart("b", "form-data; name=\"file\"; filename=\"dir/" + name + "\"", null, "up".getBytes()));
        assertThat(up.status()).as(up.body()).isLessThan(500);

        var delete = client.send("DELETE", base + "/dir/victim.txt?identifier=" + ID + V2, null);
        assertThat(delete.status()).as(delete.body()).isLessThan(500);
        if (delete.status() == 204) {
            client.execute(POOL, ID, "import os\nif os.path.isdir('/mnt/data/dir') and not os.path.islink('/mnt/data/dir'):\n"
                    + "    open('/mnt/data/dir/victim.txt', 'w').write('inside')");
        }
    }
}
