package dev.sandpool.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host-side file operations on a session directory that hostile session code has prepared. */
class SessionFilesTest {
    private static final int SESSION_UID = 312_345;
    @TempDir
    Path tmp;
    Path data;
    Path outside;
    SessionFiles files;

    @BeforeEach
    void setUp() throws Exception {
        data = Files.createDirectory(tmp.resolve("data"));
        Files.setAttribute(data, "unix:uid", SESSION_UID);
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "host secret");
        files = new SessionFiles(data, 1 << 20);
    }

    private SessionFiles.Entry write(String path, byte[] bytes) throws IOException {
        return files.write(SessionPath.parse(path), new ByteArrayInputStream(bytes), 1 << 20);
    }

    @Test
    void writeReadListStatDeleteRoundTripBinaryExact() throws Exception {
        byte[] bytes = new byte[70_000];
        new Random(7).nextBytes(bytes);
        var entry = write("/mnt/data/sub/dir/blob.bin", bytes);
        assertThat(entry.size()).isEqualTo(70_000);
        try (InputStream in = files.read(SessionPath.parse("sub/dir/blob.bin"))) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(files.list(SessionPath.root(), true)).extracting(e -> e.path().relative())
                .containsExactly("sub", "sub/dir", "sub/dir/blob.bin");
        assertThat(files.list(SessionPath.root(), false)).extracting(e -> e.path().relative()).containsExactly("sub");
        assertThat(Files.getAttribute(data.resolve("sub/dir/blob.bin"), "unix:uid")).isEqualTo(SESSION_UID);
        assertThat(Files.getAttribute(data.resolve("sub/dir"), "unix:uid")).isEqualTo(SESSION_UID);
        assertThat(files.delete(SessionPath.parse("sub"))).isTrue();
        assertThat(files.list(SessionPath.root(), true)).isEmpty();
        assertThat(files.delete(SessionPath.parse("sub"))).isFalse();
    }

    @Test
    void symlinksPlantedBySessionCodeAreNeverFollowed() throws Exception {
        Files.createSymbolicLink(data.resolve("leak.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(data.resolve("escape"), outside);
        assertThatThrownBy(() -> files.read(SessionPath.parse("leak.txt"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThatThrownBy(() -> files.read(SessionPath.parse("escape/secret.txt"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> files.stat(SessionPath.parse("escape/secret.txt"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> write("escape/planted.txt", "x".getBytes())).isInstanceOf(IOException.class);
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        // writing over a link replaces the link, never the file it points to
        write("leak.txt", "replaced".getBytes());
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host secret");
        assertThat(Files.isSymbolicLink(data.resolve("leak.txt"))).isFalse();
        assertThat(files.list(SessionPath.root(), true)).extracting(e -> e.path().relative()).containsExactly("leak.txt");
        assertThat(files.delete(SessionPath.parse("escape"))).isTrue();
        assertThat(outside.resolve("secret.txt")).exists();
    }

    @Test
    void pathsThatLeaveMntDataAreRefused() {
        for (String bad : new String[] {"../outside/secret.txt", "/etc/passwd", "a/../../x", "/mnt/database", "a\0b"}) {
            assertThatThrownBy(() -> SessionPath.parse(bad)).as(bad).isInstanceOf(SessionPath.InvalidPathException.class);
        }
        assertThat(SessionPath.parse("/mnt/data/a//b/./c.txt").relative()).isEqualTo("a/b/c.txt");
        assertThat(SessionPath.parse("/mnt/data").isRoot()).isTrue();
        assertThat(SessionPath.parse("").isRoot()).isTrue();
    }

    @Test
    void tooLargeUploadsAndQuotaOverrunsLeaveNoFile() throws Exception {
        assertThatThrownBy(() -> files.write(SessionPath.parse("big.bin"), new ByteArrayInputStream(new byte[2048]), 1024))
                .isInstanceOf(FileTooLargeException.class);
        write("first.bin", new byte[900_000]);
        assertThatThrownBy(() -> write("second.bin", new byte[200_000])).isInstanceOf(QuotaExceededException.class);
        assertThat(files.list(SessionPath.root(), true)).extracting(e -> e.path().relative()).containsExactly("first.bin");
        try (var dir = Files.list(data)) {
            assertThat(dir.map(p -> p.getFileName().toString())).containsExactly("first.bin");
        }
        // replacing a file counts only the difference
        write("first.bin", new byte[1_000_000]);
    }

    @Test
    void fifosAndOtherSpecialFilesAreNotListedOrRead() throws Exception {
        new ProcessBuilder("mkfifo", data.resolve("pipe").toString()).start().waitFor();
        assertThat(files.list(SessionPath.root(), true)).isEmpty();
        assertThatThrownBy(() -> files.read(SessionPath.parse("pipe"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThat(files.delete(SessionPath.parse("pipe"))).isTrue();
    }
}
