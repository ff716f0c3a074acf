package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.Isolation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in pools' contract under `isolation: namespaces`, and what only bubblewrap does. */
class NamespacesBuiltInPoolsTest extends BuiltInPoolsContract {
    @Override
    Isolation isolation() {
        return Isolation.NAMESPACES;
    }

    @Test
    void etcHoldsTheGeneratedFilesAndTheHostsSharedOnesOnly() {
        List<String> expected = new ArrayList<>(List.of("alternatives", "group", "hosts", "nsswitch.conf", "passwd",
                "resolv.conf", "ssl"));
        for (String host : List.of("ld.so.cache", "localtime", "mime.types", "matplotlibrc")) {
            if (Files.isRegularFile(Path.of("/etc", host))) {
                expected.add(host);
            }
        }
        var r = run("python", "etc-1", """
                import os
                def content(path):
                    try:
                        return open(path, 'rb').read().hex()
                    except OSError:
                        return ''
                (sorted(os.listdir('/etc')), open('/etc/passwd').read().splitlines()[1].split(':')[0],
                 os.path.getsize('/etc/resolv.conf'), content('/etc/localtime'))""").path("result");
        assertThat(r.get(0).valueStream().map(v -> v.asString()).sorted().toList())
                .isEqualTo(expected.stream().sorted().toList());
        assertThat(r.get(1).asString()).isEqualTo("user");
        assertThat(r.get(2).asInt()).as("no resolver without egress").isZero();
        assertThat(r.get(3).asString()).as("the host's time zone").isEqualTo(hexContent(Path.of("/etc/localtime")));
    }

    private static String hexContent(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
