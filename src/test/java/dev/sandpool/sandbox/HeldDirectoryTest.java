package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A held directory is reached through its descriptor, wherever it went, and only by its holder. */
class HeldDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void thePathFollowsTheDirectoryWhereverItIsMoved() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(dir.resolve("file"), "kept");
        try (HeldDirectory held = HeldDirectory.open(dir)) {
            Files.move(dir, tmp.resolve("elsewhere"));
            assertThat(Files.readString(held.path().resolve("file"))).isEqualTo("kept");
            Files.writeString(held.path().resolve("new"), "written");
        }
        assertThat(tmp.resolve("elsewhere/new")).hasContent("written");
    }

    @Test
    void aSecondHoldOutlivesTheFirst() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        Files.writeString(dir.resolve("file"), "kept");
        HeldDirectory first = HeldDirectory.open(dir);
        try (HeldDirectory second = HeldDirectory.open(first.path())) {
            first.close();
            first.close(); // once only: the number may be someone else's by now
            assertThat(Files.readString(second.path().resolve("file"))).isEqualTo("kept");
        }
    }

    @Test
    void neitherTheDirectoryNorAWalkBelowItFollowsASymlink() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(root.resolve("mnt"));
        Files.createSymbolicLink(root.resolve("mnt/data"), outside);
        Files.createSymbolicLink(root.resolve("run"), outside);
        assertThatThrownBy(() -> HeldDirectory.open(root.resolve("run"))).isInstanceOf(IOException.class);
        try (HeldDirectory held = HeldDirectory.open(root)) {
            assertThatThrownBy(() -> held.below("mnt", "data")).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("'data'");
            assertThatThrownBy(() -> held.below("run", "sandpool")).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("'run'");
            Files.createDirectory(root.resolve("mnt/real"));
            try (HeldDirectory real = held.below("mnt", "real")) {
                assertThat(Files.isSameFile(real.path(), root.resolve("mnt/real"))).isTrue();
            }
        }
    }
}
