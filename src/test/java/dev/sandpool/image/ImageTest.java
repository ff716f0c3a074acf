package dev.sandpool.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Kubernetes' command/args rules (the same as Docker's --entrypoint and trailing arguments). */
class ImageTest {
    private static Image image(List<String> entrypoint, List<String> cmd) {
        return new Image("sha256:" + "0".repeat(64), Path.of("/x/rootfs"), entrypoint, cmd,
                List.of("PATH=/bin", "A=1", "A=2", "EMPTY=", "BARE"), "/", Optional.empty(), Optional.empty(),
                List.of("8080/tcp", "53/udp", "9000"));
    }

    private final Image both = image(List.of("/bin/busybox"), List.of("httpd", "-f"));

    @Test
    void nothingGivenRunsEntrypointThenCmd() {
        assertThat(both.command(null, null)).containsExactly("/bin/busybox", "httpd", "-f");
        assertThat(both.command(List.of(), List.of())).containsExactly("/bin/busybox", "httpd", "-f");
    }

    @Test
    void aCommandReplacesTheEntrypointAndDropsTheCmd() {
        assertThat(both.command(List.of("/bin/sh", "-c", "echo hi"), null)).containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void argsReplaceTheCmdOnly() {
        assertThat(both.command(null, List.of("sleep", "5"))).containsExactly("/bin/busybox", "sleep", "5");
    }

    @Test
    void commandAndArgsReplaceBoth() {
        assertThat(both.command(List.of("/bin/echo"), List.of("a", "b"))).containsExactly("/bin/echo", "a", "b");
    }

    @Test
    void imagesWithOnlyOneHalf() {
        Image cmdOnly = image(List.of(), List.of("/bin/sh"));
        assertThat(cmdOnly.command(null, null)).containsExactly("/bin/sh");
        assertThat(cmdOnly.command(null, List.of("/bin/echo", "x"))).containsExactly("/bin/echo", "x");
        Image entrypointOnly = image(List.of("/bin/echo"), List.of());
        assertThat(entrypointOnly.command(null, List.of("x"))).containsExactly("/bin/echo", "x");
        Image neither = image(List.of(), List.of());
        assertThat(neither.command(null, null)).isEmpty();
    }

    @Test
    void environmentAndPorts() {
        assertThat(both.environment()).containsExactly(
                java.util.Map.entry("PATH", "/bin"), java.util.Map.entry("A", "2"),
                java.util.Map.entry("EMPTY", ""), java.util.Map.entry("BARE", ""));
        assertThat(both.exposedTcpPorts()).containsExactly(8080, 9000);
    }
}
