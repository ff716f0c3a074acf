package dev.sandpool.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandpool.image.ImageRef.Transport;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {

    @Test
    void registryReferencesWithAndWithoutTheDockerPrefix() {
        ImageRef a = ImageRef.parse("docker://127.0.0.1:5000/test/busybox:v1");
        assertThat(a.transport()).isEqualTo(Transport.DOCKER);
        assertThat(a.registry()).contains("127.0.0.1:5000");
        assertThat(a.repository()).contains("test/busybox");
        assertThat(a.tag()).contains("v1");
        assertThat(a.digest()).isEmpty();
        assertThat(a.skopeoSource()).isEqualTo("docker://127.0.0.1:5000/test/busybox:v1");

        ImageRef b = ImageRef.parse("127.0.0.1:5000/test/busybox:v1");
        assertThat(b).isEqualTo(a);

        ImageRef c = ImageRef.parse("registry.example.com/team/app");
        assertThat(c.registry()).contains("registry.example.com");
        assertThat(c.tag()).contains("latest");
        assertThat(c.toString()).isEqualTo("docker://registry.example.com/team/app:latest");

        String digest = "sha256:" + "ab".repeat(32);
        ImageRef d = ImageRef.parse("localhost:5000/app@" + digest);
        assertThat(d.digest()).contains(digest);
        assertThat(d.tag()).isEmpty();
        assertThat(d.toString()).isEqualTo("docker://localhost:5000/app@" + digest);

        ImageRef e = ImageRef.parse("[::1]:5000/app:1.0");
        assertThat(e.registry()).contains("[::1]:5000");
    }

    @Test
    void aReferenceWithoutARegistryNeedsAConfiguredDefault() {
        assertThatThrownBy(() -> ImageRef.parse("busybox:latest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no registry host")
                .hasMessageContaining("no implicit Docker Hub");
        assertThatThrownBy(() -> ImageRef.parse("library/python"))
                .hasMessageContaining("no registry host");
        assertThatThrownBy(() -> ImageRef.parse("docker://busybox"))
                .hasMessageContaining("no registry host");

        ImageRef ref = ImageRef.parse("team/app:2", Optional.of("https://registry.internal:5000/"));
        assertThat(ref.registry()).contains("registry.internal:5000");
        assertThat(ref.repository()).contains("team/app");
        assertThat(ref.tag()).contains("2");
    }

    @Test
    void localReferences() {
        ImageRef oci = ImageRef.parse("oci:/var/images/app:v1");
        assertThat(oci.transport()).isEqualTo(Transport.OCI);
        assertThat(oci.path()).contains(Path.of("/var/images/app"));
        assertThat(oci.tag()).contains("v1");
        assertThat(oci.registry()).isEmpty();
        assertThat(oci.isLoopbackRegistry()).isFalse();

        ImageRef untagged = ImageRef.parse("oci:/var/images/app");
        assertThat(untagged.tag()).isEmpty();
        assertThat(untagged.toString()).isEqualTo("oci:/var/images/app");

        ImageRef archive = ImageRef.parse("oci-archive:/tmp/x.tar");
        assertThat(archive.transport()).isEqualTo(Transport.OCI_ARCHIVE);
        assertThat(archive.path()).contains(Path.of("/tmp/x.tar"));

        ImageRef named = ImageRef.parse("oci-archive:/tmp/x.tar:docker.io/library/app:1");
        assertThat(named.tag()).contains("docker.io/library/app:1");

        ImageRef docker = ImageRef.parse("docker-archive:/tmp/d.tar");
        assertThat(docker.transport()).isEqualTo(Transport.DOCKER_ARCHIVE);
        assertThat(docker.toString()).isEqualTo("docker-archive:/tmp/d.tar");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        " 127.0.0.1:5000/a:b",
        "127.0.0.1:5000/a:b; rm -rf /",
        "127.0.0.1:5000/a:$(id)",
        "127.0.0.1:5000/a:`id`",
        "127.0.0.1:5000/A:b",              // repositories are lowercase
        "127.0.0.1:5000/a:b@sha256:" + "00000000000000000000000000000000000000000000000000000000000000ab",
        "127.0.0.1:5000/a@sha256:short",
        "127.0.0.1:5000/a:-rm",
        "127.0.0.1:5000/a:.x",
        "127.0.0.1:99999/a:b",
        "127.0.0.1:0/a:b",
        "127.0.0.1:5000/",
        "127.0.0.1:5000//a",
        "user:pass@127.0.0.1:5000/a:b",
        "docker://user:pass@127.0.0.1:5000/a",
        "docker://-host/a",
        "http://127.0.0.1:5000/a:b",
        "dir:/tmp/x",
        "containers-storage:/x",
        "oci:relative/dir",
        "oci:/tmp/../etc",
        "oci:/tmp/./x",
        "oci:/tmp/a b",
        "oci:/tmp/$x",
        "oci:/tmp/x:tag;reboot",
        "oci:/tmp/x:",
        "oci-archive:/tmp/x.tar:a b",
        "docker-archive:/tmp/x@0",
        "oci:/tmp/x\n",
        "oci:/tmp/\u0000x",
    })
    void rejectsAnythingOutsideTheGrammar(String text) {
        assertThatThrownBy(() -> ImageRef.parse(text, Optional.of("127.0.0.1:5000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image reference");
    }

    @Test
    void aBadDefaultRegistryIsRefused() {
        assertThatThrownBy(() -> ImageRef.parse("a:b", Optional.of("not a host")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid registry server");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:5000", "127.3.4.5", "localhost:5000", "localhost", "[::1]:5000", "[::1]"})
    void loopbackRegistries(String host) {
        assertThat(ImageRef.parse(host + "/a:b").isLoopbackRegistry()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1:5000", "registry.example.com", "localhost.example.com:5000", "[::2]:5000",
        "127.example.com", "0.0.0.0:5000"})
    void notLoopbackRegistries(String host) {
        assertThat(ImageRef.parse(host + "/a:b").isLoopbackRegistry()).isFalse();
    }
}
