package dev.sandpool.interpreter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inotify watch a driver start waits on: woken by a file appearing, not by time passing. */
class DirectoryWatchTest {
    @TempDir
    Path dir;

    @Test
    void aCreatedFileWakesTheWaiterAndNothingElseDoes() throws Exception {
        try (DirectoryWatch watch = DirectoryWatch.of(dir)) {
            assertThat(watch.await(50)).as("nothing created yet").isFalse();
            Thread.startVirtualThread(() -> {
                try {
                    Thread.sleep(200);
                    Files.createFile(dir.resolve("driver.sock"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(watch.await(60_000)).isTrue();
            assertThat(dir.resolve("driver.sock")).exists();
            assertThat(watch.await(50)).as("one creation wakes once").isFalse();
        }
    }

    @Test
    void watchesOfTwoDirectoriesWakeOnlyTheirOwnWaiter() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        try (DirectoryWatch watchA = DirectoryWatch.of(a); DirectoryWatch watchB = DirectoryWatch.of(b)) {
            Files.createFile(b.resolve("driver.sock"));
            assertThat(watchB.await(60_000)).isTrue();
            assertThat(watchA.await(50)).isFalse();
        }
    }
}
