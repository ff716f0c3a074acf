package dev.sandpool.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyFileTest {
    @TempDir
    Path dataDir;

    @Test
    void aKeyIsGeneratedOnFirstStartKeptPrivateAndReusedAfter() throws Exception {
        ApiKeyFile.Loaded first = ApiKeyFile.loadOrCreate(dataDir);
        assertThat(first.generated()).isTrue();
        assertThat(first.key()).startsWith("sp_").hasSizeGreaterThan(40);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file()))).isEqualTo("rw-------");
        ApiKeyFile.Loaded second = ApiKeyFile.loadOrCreate(dataDir);
        assertThat(second.generated()).isFalse();
        assertThat(second.key()).isEqualTo(first.key());
        assertThat(ApiKeyFile.loadOrCreate(Files.createTempDirectory(dataDir, "other")).key()).isNotEqualTo(first.key());
    }
}
