package dev.sandpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}: its defaults, every key's mapping, and the half-configured cases. */
class TlsConfigTest {
    @TempDir
    Path dir;

    @Test
    void offByDefault() {
        SandpoolConfig config = ConfigLoader.parse("pools:\n  - name: default\n").validated();
        assertThat(config.server().tls()).isEqualTo(new TlsConfig(false, null, null));
        assertThat(config.server().tls().isSelfSigned()).isFalse();
        assertThat(SandpoolConfig.defaults().server().tls()).isEqualTo(TlsConfig.disabled());
        assertThat(new ServerConfig("127.0.0.1", 8080, Path.of("/var/lib/sandpool")).tls()).isEqualTo(TlsConfig.disabled());
    }

    @Test
    void enabledWithoutFilesMeansSelfSigned() {
        SandpoolConfig config = ConfigLoader.parse("server:\n  tls:\n    enabled: true\n").validated();
        assertThat(config.server().tls()).isEqualTo(new TlsConfig(true, null, null));
        assertThat(config.server().tls().isSelfSigned()).isTrue();
        TlsConfig emptyPaths = ConfigLoader.parse("server:\n  tls:\n    enabled: true\n    certificate: \"\"\n    privateKey:\n")
                .validated().server().tls();
        assertThat(emptyPaths).isEqualTo(TlsConfig.selfSigned());
    }

    @Test
    void explicitPropertyMappings() throws Exception {
        Path certificate = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");
        String yaml = """
                server:
                  host: 0.0.0.0
                  port: 8443
                  dataDir: /srv/sandpool
                  tls:
                    enabled: true
                    certificate: %s
                    privateKey: %s
                """.formatted(certificate, key);
        SandpoolConfig config = ConfigLoader.parse(yaml).validated();
        assertThat(config.server()).isEqualTo(new ServerConfig("0.0.0.0", 8443, Path.of("/srv/sandpool"),
                new TlsConfig(true, certificate, key)));
        assertThat(config.server().tls().isSelfSigned()).isFalse();
    }

    @Test
    void relativeFilesAreResolvedAgainstTheWorkingDirectory() {
        TlsConfig tls = ConfigLoader.parse("server:\n  tls:\n    certificate: c.pem\n    privateKey: ./k/../k.pem\n")
                .server().tls();
        assertThat(tls.certificate()).isEqualTo(Path.of("c.pem").toAbsolutePath());
        assertThat(tls.privateKey()).isEqualTo(Path.of("k.pem").toAbsolutePath());
        assertThat(tls.enabled()).isFalse();
    }

    @Test
    void aCertificateWithoutItsKeyIsAnErrorNamingTheMissingKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  tls:\n    enabled: true\n    certificate: /etc/hostname\n")
                .validated())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.tls.privateKey: is required when server.tls.certificate is set")
                .hasMessageNotContaining("server.tls.certificate:");
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  tls:\n    privateKey: /nowhere/key.pem\n").validated())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.tls.certificate: is required when server.tls.privateKey is set");
    }

    @Test
    void filesThatDoNotExistAreNamedWhenTlsIsOn() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                server:
                  tls:
                    enabled: true
                    certificate: /nowhere/cert.pem
                    privateKey: /nowhere/key.pem
                """).validated())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.tls.certificate: no such file: /nowhere/cert.pem")
                .hasMessageContaining("server.tls.privateKey: no such file: /nowhere/key.pem");
        // Off, the paths may point at files that are not there yet.
        assertThat(ConfigLoader.parse("server:\n  tls:\n    certificate: /nowhere/c.pem\n    privateKey: /nowhere/k.pem\n")
                .validated().server().tls().enabled()).isFalse();
    }

    @Test
    void unknownKeyUnderTlsIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  tls:\n    cert: a.pem\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'cert'")
                .hasMessageContaining("server.tls");
    }
}
