package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import dev.sandpool.testing.TestingRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sandbox flooding its console cannot fill the host's disk: the log is rotated and capped. */
class ConsoleRotationTest {
    @Test
    void aFloodingConsoleStaysWithinItsCap() throws Exception {
        long cap = 64 * 1024;
        try (TestingRuntime sandboxes = new TestingRuntime()) {
            Sandbox sandbox = sandboxes.runtime.start(new SandboxSpec(
                    List.of("/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo flood-line-$i; done"), Map.of(),
                    new ResourceLimits(DataSize.parse("64Mi"), 0.5, 32), Map.of()));
            Path ctl = sandboxes.dataDir.resolve("sessions").resolve(sandbox.id()).resolve("ctl");
            try {
                // a loaded machine may take a while to write the first 64 KiB: wait for it, then keep checking
                Path rotated = ctl.resolve("console.log.1");
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                int rounds = 0;
                while (rounds < 20 && System.nanoTime() < deadline) {
                    Thread.sleep(25);
                    sandbox.rotateConsole(cap);
                    if (Files.exists(rotated)) {
                        assertThat(Files.size(rotated)).isLessThanOrEqualTo(cap);
                        rounds++;
                    }
                }
                assertThat(rounds).as("rounds after the first rotation, within 30 s").isEqualTo(20);
                String kept = new String(sandbox.console(), StandardCharsets.UTF_8);
                assertThat(kept).contains("flood-line-");
                // the rotated file holds the newest output, not the oldest
                assertThat(kept).doesNotContain("flood-line-1\n");
                assertThat(sandbox.isAlive()).isTrue();
            } finally {
                sandbox.close();
            }
        }
    }
}
