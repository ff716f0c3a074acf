package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a sandbox's /mnt/data and /run/sandpool are on the host: both on its volume, or, for a
 * sandbox a server from before that started (still running when the new server adopts it), the
 * old places beside it.
 */
class SandboxLayoutTest {
    @TempDir
    Path root;

    @Test
    void aNewSandboxHasBothOnItsVolume() {
        SandboxSlots.Layout layout = SandboxSlots.Layout.of(root);
        assertThat(layout.volume()).isEqualTo(root.resolve("volume"));
        assertThat(layout.data()).isEqualTo(root.resolve("volume/data"));
        assertThat(layout.run()).isEqualTo(root.resolve("volume/run"));
        assertThat(SandboxSlots.Layout.found(root)).isEqualTo(layout);
    }

    @Test
    void aSandboxFoundWithItsVolumeKeepsIt() throws Exception {
        Files.createDirectories(root.resolve("volume/data"));
        assertThat(SandboxSlots.Layout.found(root).data()).isEqualTo(root.resolve("volume/data"));
    }

    @Test
    void aSandboxFromBeforeTheVolumeHeldBothIsFoundWhereItWas() throws Exception {
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("run"));
        SandboxSlots.Layout layout = SandboxSlots.Layout.found(root);
        assertThat(layout.data()).isEqualTo(root.resolve("data"));
        assertThat(layout.run()).isEqualTo(root.resolve("run"));
    }
}
