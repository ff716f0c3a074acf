package dev.sandpool.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void neverPrintsThePassword() {
        RegistryCredentials creds = new RegistryCredentials("https://127.0.0.1:5000/", "bob", "hunter2-secret");
        assertThat(creds.server()).isEqualTo("127.0.0.1:5000");
        assertThat(creds.toString()).contains("127.0.0.1:5000", "bob").doesNotContain("hunter2");
    }

    @Test
    void theAuthFileIsContainersAuthJson() {
        RegistryCredentials creds = new RegistryCredentials("127.0.0.1:5000", "bob", "p\"w\\:x");
        String token = Base64.getEncoder().encodeToString("bob:p\"w\\:x".getBytes(StandardCharsets.UTF_8));
        assertThat(creds.authFileJson()).isEqualTo("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + token + "\"}}}");
    }

    @Test
    void scrubRemovesEveryFormOfTheSecret() {
        RegistryCredentials creds = new RegistryCredentials("127.0.0.1:5000", "bob", "s3cr3t");
        String token = Base64.getEncoder().encodeToString("bob:s3cr3t".getBytes(StandardCharsets.UTF_8));
        assertThat(creds.scrub("a s3cr3t b bob:s3cr3t c " + token)).isEqualTo("a *** b *** c ***");
    }

    @Test
    void fromFileDropsOneTrailingNewline() throws Exception {
        Path file = dir.resolve("pw");
        Files.writeString(file, "  spaced pw \n");
        assertThat(RegistryCredentials.fromFile("localhost:5000", "bob", file).password()).isEqualTo("  spaced pw ");
        Files.writeString(file, "\n");
        assertThatThrownBy(() -> RegistryCredentials.fromFile("localhost:5000", "bob", file))
                .hasMessageContaining("empty");
    }

    @Test
    void fromEnvNamesAMissingVariableButNoValue() {
        assertThatThrownBy(() -> RegistryCredentials.fromEnv("localhost:5000", "bob", "SANDPOOL_TEST_NO_SUCH_VAR"))
                .hasMessageContaining("SANDPOOL_TEST_NO_SUCH_VAR");
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new RegistryCredentials("localhost:5000", "a:b", "x")).hasMessageContaining("username");
        assertThatThrownBy(() -> new RegistryCredentials("localhost:5000", "", "x")).hasMessageContaining("username");
        assertThatThrownBy(() -> new RegistryCredentials("localhost:5000", "a", "")).hasMessageContaining("empty");
        assertThatThrownBy(() -> new RegistryCredentials("bad host", "a", "x")).hasMessageContaining("registry server");
    }

    @Test
    void appliesOnlyToItsOwnServer() {
        RegistryCredentials creds = new RegistryCredentials("127.0.0.1:5000", "bob", "x");
        assertThat(creds.appliesTo(ImageRef.parse("127.0.0.1:5000/a:b"))).isTrue();
        assertThat(creds.appliesTo(ImageRef.parse("127.0.0.1:5001/a:b"))).isFalse();
        assertThat(creds.appliesTo(ImageRef.parse("oci:/tmp/x"))).isFalse();
    }
}
