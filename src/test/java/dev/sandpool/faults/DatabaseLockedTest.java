package dev.sandpool.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.pool.SessionPool;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.FileCalls;
import dev.sandpool.testing.TestingServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another process holds the server's SQLite file locked (an exclusive write transaction, as an
 * operator's sqlite3 shell or a backup tool may). Only what writes the registry waits: a new
 * session waits up to the busy timeout and then gets 503 DatabaseLocked, nothing half-done;
 * running sessions, their executions and files never wait; the file stays sound.
 */
class DatabaseLockedTest {
    private static TestingServer server;
    private static AzureClient client;
    private static SessionPool pool;
    private static final byte[] KEPT = "the bystander's file".getBytes();

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("locked", 10, 1, 300));
        client = server.client;
        pool = server.server.pools().pool("locked").orElseThrow();
        assertThat(client.execute("locked", "bystander", "kept = 1").status()).isEqualTo(200);
        assertThat(FileCalls.upload(client, "locked", "bystander", "kept.txt", KEPT).status()).isEqualTo(200);
        assertThat(client.execute("locked", "doomed-1", "1").status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void readySandboxWaiting() {
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 1);
    }

    @Test
    void aNewSessionWaitsForAShortLockAndThenSucceeds() throws Exception {
        CompletableFuture<AzureClient.Response> waiting;
        try (Connection other = lockDatabase()) {
            waiting = CompletableFuture.supplyAsync(() -> client.execute("locked", "patient-1", "1 + 1"));
            // it took the ready sandbox and now waits to record it
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.readyCount() == 0);
            assertThat(waiting).isNotDone();
            other.createStatement().execute("ROLLBACK");
        }
        AzureClient.Response answer = waiting.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.properties().path("result").asInt()).isEqualTo(2);
        assertThat(Registry.sessions(server)).contains(Registry.row(server, "locked", "patient-1"));
    }

    @Test
    void aLockHeldPastTheBusyTimeoutFailsOnlyWhatWritesTheRegistry() throws Exception {
        int allocated = pool.allocatedCount();
        try (Connection other = lockDatabase()) {
            AzureClient.Response refused = client.execute("locked", "newcomer-1", "1 + 1");
            Faults.assertError(refused, 503, "DatabaseLocked", "locked by another process");
            // it had taken the ready sandbox, could not record it, and gave it back unused
            assertThat(refused.header("retry-after")).isEqualTo("5");
            assertThat(pool.allocatedCount()).isEqualTo(allocated);
            assertThat(pool.readyCount()).isEqualTo(1);

            // running sessions never touch the database
            assertThat(client.execute("locked", "bystander", "kept += 1\nkept").properties().path("result").asInt()).isEqualTo(2);
            assertThat(FileCalls.download(client, "locked", "bystander", "kept.txt").body()).isEqualTo(KEPT);
            assertThat(FileCalls.upload(client, "locked", "bystander", "during.txt", "written during the lock".getBytes())
                    .status()).isEqualTo(200);
            // an ended session is over even when its row cannot go yet
            assertThat(client.deleteSession("locked", "doomed-1").status()).isEqualTo(204);
            assertThat(pool.find(server.sessionKey("doomed-1"))).isEmpty();
            other.createStatement().execute("ROLLBACK");
        }
        assertThat(client.execute("locked", "newcomer-1", "1 + 1").properties().path("result").asInt()).isEqualTo(2);
        assertThat(Registry.integrity(server)).isEqualTo("ok");
        // the removal that had to wait was done with the next write
        assertThat(Registry.sessions(server)).contains(Registry.row(server, "locked", "bystander"),
                Registry.row(server, "locked", "newcomer-1")).doesNotContain(Registry.row(server, "locked", "doomed-1"));
        assertThat(FileCalls.download(client, "locked", "bystander", "during.txt").body())
                .isEqualTo("written during the lock".getBytes());
    }

    /** A second connection that holds SQLite's write lock until it rolls back or closes. */
    private static Connection lockDatabase() throws SQLException {
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("sandpool.db"));
        other.createStatement().execute("BEGIN EXCLUSIVE");
        other.createStatement().execute("UPDATE sessions SET created_at = created_at");
        return other;
    }
}
