package dev.sandpool.egress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces made for one test: an outer one, where the server under test runs, and
 * a test host, its only peer over a veth pair and its default route. Nothing is routed to the
 * machine's own network, so no packet of a sandbox can leave the machine whatever its rules do.
 * The test host answers HTTP on every address it has (public-looking TEST-NET ones and private,
 * CGNAT and metadata ones) and DNS on 198.51.100.1 (see {@link TestDns}).
 */
final class OuterNetwork implements AutoCloseable {
    static final String HOST = "198.51.100.1";
    static final String OUTER = "198.51.100.2";
    static final String PUBLIC = "203.0.113.7";
    static final List<String> PRIVATE = List.of("10.77.0.1", "192.168.77.1", "172.20.0.1", "169.254.169.254", "100.64.7.1");

    final String outer;
    final String host;
    private final Path web;
    /** A private tmpfs holding the mount namespace servers of the outer machine run in (file "ns"). */
    private final Path mountNamespace;
    private final List<Process> processes = new ArrayList<>();
    private TestDns dns;

    OuterNetwork() throws IOException {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000) + Long.toString(System.nanoTime() % 1000);
        outer = "spo-" + tag;
        host = "sph-" + tag;
        web = Files.createTempDirectory("sandpool-egress-web-");
        mountNamespace = Path.of("/run", outer + "-mnt");
        try {
            Files.writeString(web.resolve("ok.txt"), "reached\n");
            web.toFile().setReadable(true, false);
            run("ip", "netns", "add", outer);
            run("ip", "netns", "add", host);
            run("ip", "link", "add", "vo-" + tag, "netns", outer, "type", "veth", "peer", "name", "vh-" + tag, "netns", host);
            in(outer, "ip", "link", "set", "lo", "up");
            in(host, "ip", "link", "set", "lo", "up");
            in(outer, "ip", "addr", "add", OUTER + "/24", "dev", "vo-" + tag);
            in(host, "ip", "addr", "add", HOST + "/24", "dev", "vh-" + tag);
            for (String address : concat(PUBLIC, PRIVATE)) {
                in(host, "ip", "addr", "add", address + "/32", "dev", "vh-" + tag);
            }
            in(outer, "ip", "link", "set", "vo-" + tag, "up");
            in(host, "ip", "link", "set", "vh-" + tag, "up");
            in(outer, "ip", "route", "add", "default", "via", HOST);
            // `ip netns exec` shows this file as /etc/resolv.conf to what runs in the outer namespace
            Path etc = Files.createDirectories(Path.of("/etc/netns", outer));
            Files.writeString(etc.resolve("resolv.conf"), "nameserver " + HOST + "\n");
            // Servers run in one mount namespace of the outer machine's own, kept for as long as the network:
            // there the resolver's file is bound over /etc/resolv.conf, and a restarted server finds the
            // volumes its predecessor mounted, as a server in the host's namespace does. Private, so that
            // nothing mounted or unmounted there reaches the host. A namespace is kept by binding its file,
            // which needs a private mount to bind on: a tmpfs of its own.
            Files.createDirectories(mountNamespace);
            run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountNamespace.toString());
            run("mount", "--make-private", mountNamespace.toString());
            Files.createFile(mountNamespace.resolve("ns"));
            run("unshare", "--mount=" + mountNamespace.resolve("ns"), "--propagation", "private", "mount", "--bind",
                    etc.resolve("resolv.conf").toString(), "/etc/resolv.conf");
            processes.add(start("ip", "netns", "exec", host, "/bin/busybox", "httpd", "-f", "-p", "80", "-h", web.toString()));
            // a service of the outer machine itself, which sandboxes must not reach on its own address
            processes.add(start("ip", "netns", "exec", outer, "/bin/busybox", "httpd", "-f", "-p", "81", "-h", web.toString()));
            dns = new TestDns(Path.of("/run/netns", host), HOST, java.util.Map.of("public.test", PUBLIC, "api.public.test", PUBLIC,
                    "private.test", "10.77.0.1", "host.test", HOST));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /**
     * Starts a command in the outer namespace, seeing the test host as its DNS server. Not with
     * `ip netns exec`, which would mount a new /sys and hide the cgroup hierarchy: nsenter for the
     * network, and for the outer machine's mount namespace (see the constructor).
     */
    Process startOuter(List<String> command, Path log) throws IOException {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + outer,
                "--mount=" + mountNamespace.resolve("ns")));
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Runs a command in the outer namespace and returns its output. */
    String inOuter(String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", outer));
        argv.addAll(List.of(command));
        return run(argv.toArray(String[]::new));
    }

    private void in(String ns, String... command) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command));
        run(argv.toArray(String[]::new));
    }

    private static Process start(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String run(String... command) {
        return dev.sandpool.image.TestImages.run(command);
    }

    @Override
    public void close() {
        if (dns != null) {
            dns.close();
        }
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : List.of(outer, host)) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IllegalStateException e) {
                // not created
            }
        }
        for (Path mount : List.of(mountNamespace.resolve("ns"), mountNamespace)) {
            try {
                run("umount", mount.toString()); // the namespace goes, and every mount left in it
            } catch (IllegalStateException e) {
                // not made
            }
        }
        dev.sandpool.sandbox.Trees.deleteRecursively(mountNamespace);
        dev.sandpool.sandbox.Trees.deleteRecursively(Path.of("/etc/netns", outer));
        dev.sandpool.sandbox.Trees.deleteRecursively(web);
    }
}
