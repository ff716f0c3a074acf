package dev.sandpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Allocation, capacity, cooldown, deletion, refill and ordering, through the HTTP API on real sandboxes. */
class SessionLifecycleTest {

    @Test
    void aFullPoolAnswers404AndCapacityReturnsAfterTheCooldown() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("tiny", 2, 1, 2))) {
            AzureClient client = server.client;
            assertThat(client.execute("tiny", "first-one", "1").status()).isEqualTo(200);
            assertThat(client.execute("tiny", "second-one", "2").status()).isEqualTo(200);
            var full = client.execute("tiny", "third-one", "3");
            assertThat(full.status()).isEqualTo(404);
            assertThat(full.header("x-ms-error-code")).isEqualTo("SessionPoolFull");
            assertThat(full.json().path("error").path("message").asString()).contains("full");
            // a known identifier still works while the pool is full
            assertThat(client.execute("tiny", "first-one", "'still mine'").status()).isEqualTo(200);
            SessionPool pool = server.server.pools().pool("tiny").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.allocatedCount() == 0);
            assertThat(client.execute("tiny", "third-one", "3").status()).isEqualTo(200);
        }
    }

    @Test
    void deleteEndsTheSessionAndTheNextCallStartsFresh() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("del", 3, 1, 300))) {
            AzureClient client = server.client;
            client.execute("del", "to-delete", "secret = 1\nopen('/mnt/data/f.txt', 'w').write('x')");
            var deleted = client.deleteSession("del", "to-delete");
            assertThat(deleted.status()).isEqualTo(204);
            assertThat(deleted.body()).isEmpty();
            var after = client.execute("del", "to-delete", "import os\n(('secret' in dir()), os.listdir('/mnt/data'))");
            assertThat(after.properties().path("result").toString()).isEqualTo("[false,[]]");
            assertThat(client.deleteSession("del", "never-existed").status()).isEqualTo(204);
        }
    }

    @Test
    void readySessionsAreRefilledAndAllocationTakesOne() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("warm", 5, 3, 300))) {
            SessionPool pool = server.server.pools().pool("warm").orElseThrow();
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 3);
            // started in the background, ready ones are back at normal CPU priority
            assertThat(idleGroups(server)).isEmpty();
            server.client.execute("warm", "takes-one", "1");
            assertThat(pool.allocatedCount()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 3);
            // allocated plus ready never exceeds the maximum
            for (int i = 0; i < 3; i++) {
                server.client.execute("warm", "more-" + i + "-id", "1");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 1);
            assertThat(pool.allocatedCount() + pool.readyCount()).isEqualTo(5);
        }
    }

    /** The cgroups of the server's sandboxes that are idle (cpu.idle = 1), on a cgroup v1 or v2 host. */
    private static java.util.List<String> idleGroups(TestingServer server) throws java.io.IOException {
        java.nio.file.Path root = java.nio.file.Path.of("/sys/fs/cgroup");
        String parent = server.server.config().sandbox().cgroupParent();
        java.nio.file.Path groups = java.nio.file.Files.isDirectory(root.resolve("cpu")) ? root.resolve("cpu").resolve(parent)
                : root.resolve(parent);
        try (var dirs = java.nio.file.Files.list(groups)) {
            return dirs.filter(dir -> dir.getFileName().toString().startsWith("sb-"))
                    .filter(dir -> readOrEmpty(dir.resolve("cpu.idle")).equals("1"))
                    .map(dir -> dir.getFileName().toString()).toList();
        }
    }

    private static String readOrEmpty(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void withNoReadySessionOneIsStartedOnTheSpot() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("cold", 2, 0, 300))) {
            assertThat(server.server.pools().pool("cold").orElseThrow().readyCount()).isZero();
            assertThat(server.client.execute("cold", "cold-start", "6*7").properties().path("result").asInt()).isEqualTo(42);
        }
    }

    @Test
    void executionsOnOneSessionRunInArrivalOrderAndOtherSessionsRunMeanwhile() throws Exception {
        try (TestingServer server = TestingServer.start(TestingServer.pool("order", 4, 2, 300))) {
            AzureClient client = server.client;
            client.execute("order", "serial-1", "log = []");
            // the slow cell waits for a file only the test writes, so "still busy" never depends on the clock
            CompletableFuture<AzureClient.Response> slow = CompletableFuture.supplyAsync(() -> client.execute("order", "serial-1",
                    "import os, time\nwhile not os.path.exists('/mnt/data/go'): time.sleep(0.02)\nlog.append('slow')"));
            await().until(() -> server.server.pools().pool("order").orElseThrow().find(server.sessionKey("serial-1"))
                    .map(s -> !s.idleSince(java.time.Instant.now().plusSeconds(1))).orElse(false));
            CompletableFuture<AzureClient.Response> next = CompletableFuture.supplyAsync(() ->
                    client.execute("order", "serial-1", "log.append('next')\nlog"));
            // another session answers while serial-1 is still busy
            assertThat(client.execute("order", "parallel-1", "'independent'").properties().path("result").asString())
                    .isEqualTo("independent");
            assertThat(slow.isDone()).isFalse();
            assertThat(next.isDone()).isFalse();
            assertThat(client.upload("/pools/order/files/upload?identifier=serial-1&api-version=2024-02-02-preview",
                    "multipart/form-data; boundary=b0", AzureClient.multipart("b0",
                            "form-data; name=\"file\"; filename=\"go\"", "application/octet-stream", new byte[0])).status())
                    .isEqualTo(200);
            assertThat(next.get().properties().path("result").toString()).isEqualTo("[\"slow\",\"next\"]");
        }
    }
}
