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

    /**
     * gVisor's kernel stops it with RLIMIT_NPROC: fork fails with EAGAIN inside, as on Linux, and the
     * session lives on. Under ptrace each process also costs the host a stub and a dozen tasks, so
     * the host's pids cgroup (a backstop) or the memory limit may be reached first, and the session
     * is replaced. Which comes first depends on how busy the host is.
     */
    @Override
    String[] forkBombEndings() {
        return new String[] {"reached its process limit", "memory limit of 1Gi exceeded",
                "BlockingIOError: [Errno 11] Resource temporarily unavailable"};
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
