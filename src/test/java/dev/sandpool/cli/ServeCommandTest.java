package dev.sandpool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
    @TempDir
    Path dir;

    private ServeCommand parse(String... args) {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void withoutAConfigServesOnePythonPoolNamedDefaultOnLoopback8080() {
        var config = parse().effectiveConfig();
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.pools()).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("default");
            assertThat(p.containerType()).isEqualTo(ContainerType.PythonLTS);
        });
    }

    @Test
    void portAndDataDirOverrideTheConfigFile() throws Exception {
        Path file = dir.resolve("sandpool.yaml");
        Files.writeString(file, "server:\n  port: 9000\n  dataDir: /srv/from-file\npools:\n  - name: analysts\n");
        var fromFile = parse("--config", file.toString()).effectiveConfig();
        assertThat(fromFile.server().port()).isEqualTo(9000);
        assertThat(fromFile.server().dataDir()).isEqualTo(Path.of("/srv/from-file"));
        Files.writeString(file, "server:\n  port: 9000\n  dataDir: /srv/from-file\n  tls:\n    enabled: true\n"
                + "pools:\n  - name: analysts\n");
        var overridden = parse("--config", file.toString(), "--port", "9100", "--data-dir", "/srv/flag").effectiveConfig();
        assertThat(overridden.server().tls().enabled()).isTrue();
        assertThat(overridden.server().port()).isEqualTo(9100);
        assertThat(overridden.server().dataDir()).isEqualTo(Path.of("/srv/flag"));
        assertThat(overridden.pools()).extracting(p -> p.name()).containsExactly("analysts");
    }

    @Test
    void anInvalidConfigExitsWithTheKeyNamedAndStartsNothing() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "pools:\n  - name: analysts\n    maxSesions: 3\n");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            int code = new CommandLine(new SandpoolCli()).execute("serve", "--config", file.toString());
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(err.toString()).contains("unknown key 'maxSesions'");
    }
}
