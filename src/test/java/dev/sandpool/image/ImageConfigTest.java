package dev.sandpool.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ImageConfigTest {
    @TempDir
    Path rootfs;

    @BeforeEach
    void passwd() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n# comment\nweb:x:33:44::/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nwww:x:44:\nops:x:70:\n");
    }

    private static ImageConfig parse(String json) throws Exception {
        return ImageConfig.parse(JsonMapper.builder().build().readTree(json));
    }

    @Test
    void parsesTheOciConfig() throws Exception {
        ImageConfig config = parse("""
                {"architecture":"amd64","os":"linux","config":{"User":"web","Env":["A=1"],"Entrypoint":["/e"],
                 "Cmd":null,"WorkingDir":"srv","ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers"}}""");
        assertThat(config.entrypoint()).containsExactly("/e");
        assertThat(config.cmd()).isEmpty();
        assertThat(config.workingDir()).isEqualTo("/srv");
        Image image = config.toImage("sha256:" + "1".repeat(64), rootfs);
        assertThat(image.uid()).contains(33);
        assertThat(image.gid()).contains(44);
        assertThat(image.exposedPorts()).containsExactly("80/tcp");
    }

    @Test
    void noUserMeansNoIdsAndNoWorkingDirMeansSlash() throws Exception {
        Image image = parse("{\"config\":{}}").toImage("sha256:" + "1".repeat(64), rootfs);
        assertThat(image.uid()).isEmpty();
        assertThat(image.gid()).isEmpty();
        assertThat(image.workingDir()).isEqualTo("/");
    }

    @Test
    void malformedConfigsAreInvalidImages() {
        assertThatThrownBy(() -> parse("{\"config\":{\"Cmd\":\"sh\"}}"))
                .isInstanceOfSatisfying(ImagePullException.class,
                        e -> assertThat(e.reason()).isEqualTo(ImagePullException.Reason.INVALID_IMAGE))
                .hasMessageContaining("Cmd");
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("not a JSON object");
    }

    @Test
    void userForms() throws Exception {
        assertThat(ImageConfig.resolveUser("0", rootfs)).containsExactly(0, 0);
        assertThat(ImageConfig.resolveUser("33", rootfs)).containsExactly(33, 44);
        assertThat(ImageConfig.resolveUser("5000", rootfs)).containsExactly(5000, 0);
        assertThat(ImageConfig.resolveUser("5000:6000", rootfs)).containsExactly(5000, 6000);
        assertThat(ImageConfig.resolveUser("web:ops", rootfs)).containsExactly(33, 70);
        assertThat(ImageConfig.resolveUser("33:www", rootfs)).containsExactly(33, 44);
        assertThatThrownBy(() -> ImageConfig.resolveUser("nobody", rootfs)).hasMessageContaining("'nobody'");
        assertThatThrownBy(() -> ImageConfig.resolveUser("web:nogroup", rootfs)).hasMessageContaining("'nogroup'");
        assertThatThrownBy(() -> ImageConfig.resolveUser("web:", rootfs)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> ImageConfig.resolveUser("99999999999", rootfs)).hasMessageContaining("User");
    }

    @Test
    void linksInTheImageAreResolvedInsideIt() throws Exception {
        // an image's /etc/passwd pointing at an absolute path must read the image's file, not the host's
        Files.createDirectories(rootfs.resolve("real/etc"));
        Files.writeString(rootfs.resolve("real/etc/passwd"), "inside:x:7:8::/:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/real/etc/passwd"));
        assertThat(ImageConfig.resolveUser("inside", rootfs)).containsExactly(7, 8);

        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("../../../../../../etc/passwd"));
        // resolves to the image's own /etc/passwd (itself): a loop, refused, never the host's root entry
        assertThatThrownBy(() -> ImageConfig.resolveUser("root", rootfs)).hasMessageContaining("symbolic links");

        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/proc/self/environ"));
        assertThat(ImageConfig.resolveInside(rootfs, "etc/passwd")).isEmpty();
    }
}
