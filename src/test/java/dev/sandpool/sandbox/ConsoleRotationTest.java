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
                for (int round = 0; round < 40; round++) {
                    Thread.sleep(25);
                    sandbox.rotateConsole(cap);
                    assertThat(Files.size(ctl.resolve("console.log.1"))).isLessThanOrEqualTo(cap);
                }
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
