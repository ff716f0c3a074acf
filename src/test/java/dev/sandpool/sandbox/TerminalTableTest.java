package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Session code that opens pseudo-terminals until it cannot. Each sandbox has a devpts instance of
 * its own, but all of them draw from one host-wide count (kernel.pty.max less what the host's own
 * instance reserves: 3072 by default), which one session could empty for all the others.
 */
class TerminalTableTest {
    private static final int ENOSPC = 28;
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    @Test
    void aSessionOpeningTerminalsWithoutEndLeavesOthersTheirs() throws Exception {
        HeldDirectory data = hostile.dataOf("pty-01");
        Path full = data.path().resolve("full");
        CompletableFuture<JsonNode> hog = CompletableFuture.supplyAsync(() -> hostile.run("pty-01", """
                import os, resource, time
                resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
                held, error = [], None
                try:
                    while len(held) < 15000:
                        held.append(os.open('/dev/ptmx', os.O_RDWR | os.O_NOCTTY))
                except OSError as e:
                    error = e.errno
                open('/mnt/data/full', 'w').close()
                time.sleep(5)
                [len(held), error]""", 120));
        await().atMost(Duration.ofSeconds(110)).until(() -> Files.exists(full) || hog.isDone());
        data.close();
        // while the hog still holds its terminals
        JsonNode other = hostile.run("calm-01", "import os\nmaster, slave = os.openpty()\nos.ttyname(slave).startswith('/dev/pts/')");
        assertThat(other.path("status").asString()).as(other.toString()).isEqualTo("Success");
        assertThat(other.path("result").asBoolean()).isTrue();
        JsonNode p = hog.get(120, TimeUnit.SECONDS);
        if (!p.path("stderr").asString().contains("memory limit")) {
            assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
            // stopped by its own limits (EMFILE at its open-file limit, or its memory), not by the host's count
            assertThat(p.path("result").get(1).asInt()).as("terminals opened, and the error: " + p).isNotEqualTo(ENOSPC);
        }
        hostile.assertContained("pty-01");
    }
}
