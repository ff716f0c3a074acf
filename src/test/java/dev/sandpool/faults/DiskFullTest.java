package dev.sandpool.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.FileCalls;
import dev.sandpool.testing.HostLeftovers;
import dev.sandpool.testing.SmallFilesystem;
import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The disk under the server's data directory fills up (a 64 MiB tmpfs the test mounts and fills).
 * Uploads and new sessions get 507 InsufficientStorage in Azure's error shape: the server's
 * condition, not the client's (so not 4xx), and not a transient overload a client should retry
 * (so not 503). Nothing partial is left, sessions already running keep working, and everything
 * works again once space is freed.
 */
class DiskFullTest {
    @Test
    void aFullDiskRefusesWhatNeedsSpaceAndRecoversWhenFreed() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.mount("64m")) {
            Path dataDir = Files.createDirectory(fs.root().resolve("data"));
            try (TestingServer server = TestingServer.start(dataDir, ExecutionConfig.defaults(), FilesConfig.defaults(),
                    TestingServer.pool("full", 10, 1, 300), TestingServer.pool("cold", 10, 0, 300))) {
                AzureClient client = server.client;
                SessionPool warm = server.server.pools().pool("full").orElseThrow();
                SessionPool cold = server.server.pools().pool("cold").orElseThrow();
                byte[] kept = random(1000, 1);
                assertThat(client.execute("full", "bystander", "kept = 1").status()).isEqualTo(200);
                assertThat(FileCalls.upload(client, "full", "bystander", "kept.bin", kept).status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(60)).until(() -> warm.readyCount() == 1);
                int sandboxes = HostLeftovers.sessionDirectories(dataDir).size();

                fs.fill(fs.root().resolve("filler"));

                byte[] big = random(1 << 20, 2);
                AzureClient.Response upload = FileCalls.upload(client, "full", "bystander", "big.bin", big);
                Faults.assertError(upload, 507, "InsufficientStorage", "disk is full");
                assertThat(upload.json().path("error").path("message").asString()).contains("/mnt/data/big.bin");
                assertThat(fileNames(client)).containsExactly("kept.bin");
                try (var left = Files.walk(dataDir.resolve("sessions"))) {
                    assertThat(left.filter(p -> p.getFileName().toString().startsWith(".sandpool-upload-"))).isEmpty();
                }

                // a new identifier takes the ready sandbox, which cannot be recorded: it goes back, unused
                Faults.assertError(client.execute("full", "newcomer", "1 + 1"), 507, "InsufficientStorage", "disk is full");
                // with no ready sandbox, one is started for the identifier, then cannot be recorded: it goes
                Faults.assertError(client.execute("cold", "newcomer", "1 + 1"), 507, "InsufficientStorage", "disk is full");
                assertThat(warm.allocatedCount()).isEqualTo(1);
                assertThat(warm.readyCount()).isEqualTo(1);
                assertThat(cold.allocatedCount()).isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> HostLeftovers.sessionDirectories(dataDir).size() == sandboxes);

                assertThat(client.execute("full", "bystander", "kept + 1").properties().path("result").asInt()).isEqualTo(2);
                assertThat(FileCalls.download(client, "full", "bystander", "kept.bin").body()).isEqualTo(kept);
                assertThat(client.send("GET", "/healthz", null).status()).isEqualTo(200);

                Files.delete(fs.root().resolve("filler"));

                assertThat(FileCalls.upload(client, "full", "bystander", "big.bin", big).status()).isEqualTo(200);
                assertThat(FileCalls.download(client, "full", "bystander", "big.bin").body()).isEqualTo(big);
                assertThat(client.execute("full", "newcomer", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
                assertThat(client.execute("cold", "newcomer", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
                assertThat(Registry.integrity(server)).isEqualTo("ok");
                assertThat(Registry.sessions(server)).containsExactlyInAnyOrder(Registry.row(server, "full", "bystander"),
                        Registry.row(server, "full", "newcomer"), Registry.row(server, "cold", "newcomer"));
            }
        }
    }

    private static java.util.List<String> fileNames(AzureClient client) {
        var list = client.send("GET", "/pools/full/files?identifier=bystander&api-version=" + AzureClient.V1, null);
        assertThat(list.status()).isEqualTo(200);
        return list.json().path("value").valueStream().map(v -> v.path("properties").path("filename").asString()).toList();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
