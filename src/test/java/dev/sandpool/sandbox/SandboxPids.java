package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.TestingServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Host-side views of a test server's sandbox processes. */
final class SandboxPids {
    private SandboxPids() {}

    static void assertSomeProcessRunsAsSessionUid(TestingServer server) {
        int base = server.server.config().sandbox().uidBase();
        int count = server.server.config().sandbox().uidCount();
        assertThat(ProcScan.processesOwnedBy(uid -> uid >= base && uid < base + count)).isNotEmpty();
    }

    static void awaitNoProcessWith(TestingServer server, String commandLine) {
        int base = server.server.config().sandbox().uidBase();
        int count = server.server.config().sandbox().uidCount();
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcScan.processesOwnedBy(uid -> uid >= base && uid < base + count)
                .stream().noneMatch(pid -> cmdline(pid).contains(commandLine)));
    }

    /** Host processes, whoever owns them, whose command line names the sandbox: bwrap's binds and runsc's paths do. */
    static java.util.List<Long> naming(String sandboxId) {
        return ProcScan.processesOwnedBy(uid -> true).stream().filter(pid -> cmdline(pid).contains(sandboxId)).toList();
    }

    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ').strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
