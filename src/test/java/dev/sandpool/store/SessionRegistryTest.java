package dev.sandpool.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.sandbox.SandboxHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry a restart reads, on a real SQLite file. */
class SessionRegistryTest {
    @TempDir
    Path dir;

    @Test
    void aLateRemovalOfAnEndedSessionLeavesTheIdentifiersNewSession() throws Exception {
        try (Database db = Database.open(Files.createDirectories(dir.resolve("data")))) {
            SessionRegistry registry = new SessionRegistry(db);
            Instant now = Instant.parse("2026-11-22T12:00:00Z");
            registry.put(new SessionRegistry.Entry("p", "hash-1", new SandboxHandle("sb-old", 300_001, 11, 111), now));
            // the identifier got a new session before the old one's removal was written
            registry.put(new SessionRegistry.Entry("p", "hash-1", new SandboxHandle("sb-new", 300_002, 22, 222), now));
            registry.remove("p", "hash-1", "sb-old");
            assertThat(registry.all()).extracting(e -> e.sandbox().id()).containsExactly("sb-new");

            registry.remove("p", "hash-1", "sb-new");
            assertThat(registry.all()).isEmpty();

            registry.put(new SessionRegistry.Entry("p", "hash-2", new SandboxHandle("sb-x", 300_003, 33, 333), now));
            registry.remove("p", "hash-2", "");
            assertThat(registry.all()).isEmpty();
        }
    }
}
