package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.Isolation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The built-in pools' contract under `isolation: gvisor`, and what only gVisor does. */
class GvisorBuiltInPoolsTest extends BuiltInPoolsContract {
    @Override
    Isolation isolation() {
        return Isolation.GVISOR;
    }

    @Test
    void processesStopAtTheProcessLimitWithEagainAndTheSessionLivesOn() {
        run("roomy", "nproc-1", "kept = 'yes'");
        JsonNode p = run("roomy", "nproc-1", """
                import subprocess
                sleepers, errno = [], None
                try:
                    while len(sleepers) < 1000:
                        sleepers.append(subprocess.Popen(['sleep', '300']))
                except OSError as e:
                    errno = e.errno
                for s in sleepers:
                    s.kill(); s.wait()
                (errno, len(sleepers))""");
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        assertThat(p.path("result").get(0).asInt()).isEqualTo(11); // EAGAIN, from RLIMIT_NPROC (sandbox.pidsLimit 256)
        assertThat(p.path("result").get(1).asInt()).isBetween(100, 256);
        assertThat(run("roomy", "nproc-1", "kept").path("result").asString()).isEqualTo("yes");
    }
}
