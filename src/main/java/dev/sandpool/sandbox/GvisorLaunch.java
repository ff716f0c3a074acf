package dev.sandpool.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@code runsc run} for one bundle, in a network namespace of its own, held back until its
 * cgroup and network are ready.
 *
 * <p>A shell made by {@code unshare --net} waits for one line on stdin; meanwhile this side puts it
 * into the sandbox's cgroup (so runsc, its gofer, sentry and ptrace stubs start inside it) and, for
 * egress, attaches slirp4netns to its namespace. Every runsc verb must run in that namespace (the
 * control socket is an abstract unix socket); this runtime uses only {@code run}, and ends a
 * sandbox through its cgroup. runsc writes to a pipe, not to a file: cat appends to the console.
 */
final class GvisorLaunch {
    /** runsc's output goes through cat; the shell exits with runsc's status, not cat's (dash has no pipefail). */
    private static final String SHELL = "read go || exit 1; exec 3>&1; "
            + "status=$({ { \"$@\" </dev/null 2>&1 3>&- 4>&-; echo $? >&4; } | cat >&3; } 4>&1); exit \"$status\"";

    private GvisorLaunch() {}

    static SandboxLaunch.Started start(Path ctl, String id, boolean egress, Cgroup cgroup,
                                       SandboxLaunch.BeforeRelease beforeRelease) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("/usr/bin/unshare", "--net", "--", "/bin/sh", "-c", SHELL,
                "sandpool-gvisor", GvisorRuntime.RUNSC.toString(), "--root", ctl.resolve("runsc").toString(),
                "--platform=ptrace", egress ? "--network=host" : "--network=none", "--host-uds=create",
                "--ignore-cgroups", "--overlay2=none", "run", "--bundle", ctl.resolve("bundle").toString(), id))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(ctl.resolve("console.log").toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process process = builder.start();
        try (OutputStream go = process.getOutputStream()) {
            cgroup.addProcess(process.pid());
            awaitOwnNetwork(process);
            beforeRelease.prepare(process.pid());
            go.write("go\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return new SandboxLaunch.Started(process, process.pid());
    }

    /** unshare may not have made the namespace yet: egress must never be attached to the host's. */
    private static void awaitOwnNetwork(Process process) throws IOException {
        Path own = Path.of("/proc", Long.toString(process.pid()), "ns", "net");
        String host = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (!java.nio.file.Files.readSymbolicLink(own).toString().equals(host)) {
                return;
            }
            CgroupFiles.sleep(2);
        }
        throw new IOException("the gVisor launcher did not enter its own network namespace");
    }
}
