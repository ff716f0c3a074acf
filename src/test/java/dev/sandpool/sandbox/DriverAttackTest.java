package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Session code turning on its own driver: stopping or killing it with signals, and leaving
 * processes behind that try to outlive it. A driver that stops answering costs the session its
 * sandbox, never the server a thread; whatever the session started dies with its sandbox.
 */
class DriverAttackTest {
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    /** A fresh session has none of the old one's variables. */
    private static void assertReplaced(String identifier) {
        hostile.assertWorksOrReplaced(identifier);
        assertThat(hostile.run(identifier, "'marker' in globals()").path("result").asBoolean()).isFalse();
    }

    @Test
    void aStoppedDriverTimesOutAndItsSessionIsReplaced() {
        hostile.run("sigstop-01", "marker = 1");
        JsonNode p = hostile.run("sigstop-01", """
                import os, subprocess
                subprocess.run(['kill', '-STOP', str(os.getpid())])
                'never answered'""", 2);
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("timed out").contains("the session was ended");
        hostile.assertOthersAnswer();
        assertReplaced("sigstop-01");
    }

    @Test
    void aDriverKilledOrTerminatedByItsSessionIsReplaced() {
        for (String signal : new String[] {"KILL", "TERM", "SEGV"}) {
            String identifier = "sig" + signal.toLowerCase() + "-01";
            hostile.run(identifier, "marker = 1");
            JsonNode p = hostile.run(identifier, "import os, subprocess\nsubprocess.run(['kill', '-" + signal
                    + "', str(os.getpid())])\nimport time\ntime.sleep(30)");
            assertThat(p.path("status").asString()).as(signal).isEqualTo("Failure");
            assertThat(p.path("stderr").asString()).as(signal).contains("SessionLost");
            assertReplaced(identifier);
        }
        JsonNode everything = hostile.run("sigall-01", "import subprocess\nsubprocess.run(['kill', '-9', '-1'])\n'still here'");
        assertThat(everything.path("stderr").asString()).contains("SessionLost");
        hostile.assertContained("sigall-01");
    }

    @Test
    void aDaemonizedProcessDiesWithItsSession() {
        hostile.run("daemon-01", daemonize("1002"));
        await().atMost(Duration.ofSeconds(20)).until(() -> sessionProcessRuns("sleep 1002"));
        hostile.client.deleteSession(HostileServer.PYTHON, "daemon-01");
        SandboxPids.awaitNoProcessWith(hostile.server, "sleep 1002");
        hostile.assertOthersAnswer();
    }

    @Test
    void aProcessThatOutlivesTheInterpreterDiesWithIt() {
        hostile.run("orphan-01", daemonize("1003"));
        await().atMost(Duration.ofSeconds(20)).until(() -> sessionProcessRuns("sleep 1003"));
        JsonNode p = hostile.run("orphan-01", "import os\nos.kill(os.getpid(), 9)");
        assertThat(p.path("stderr").asString()).contains("SessionLost");
        SandboxPids.awaitNoProcessWith(hostile.server, "sleep 1003");
        hostile.assertContained("orphan-01");
    }

    /** The classic double fork into a new session, deaf to the signals that usually end a daemon. */
    private static String daemonize(String seconds) {
        return """
                import os, signal
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                            signal.signal(s, signal.SIG_IGN)
                        os.execvp('sleep', ['sleep', '%s'])
                    os._exit(0)
                os.wait()
                'detached'""".formatted(seconds);
    }

    private static boolean sessionProcessRuns(String commandLine) {
        int base = hostile.server.server.config().sandbox().uidBase();
        int count = hostile.server.server.config().sandbox().uidCount();
        return ProcScan.processesOwnedBy(uid -> uid >= base && uid < base + count).stream()
                .anyMatch(pid -> SandboxPids.cmdline(pid).equals(commandLine));
    }
}
