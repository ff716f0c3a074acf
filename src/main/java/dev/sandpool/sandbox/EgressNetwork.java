package dev.sandpool.sandbox;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives one sandbox's network namespace a way out: first nftables rules in that namespace (so no
 * packet leaves before they exist), then slirp4netns, a user-mode TCP/IP stack that makes the
 * sandbox's connections from the host as ordinary sockets. slirp runs as root because joining a
 * namespace owned by the session's user namespace needs it, sandboxed by its own
 * {@code --enable-sandbox --enable-seccomp}; {@code --disable-host-loopback} keeps 10.0.2.2 from
 * reaching the host's loopback. The sandbox holds no capability, so it cannot change the rules.
 */
final class EgressNetwork {
    /** slirp's DNS forwarder, the one private address a sandbox may reach (port 53 only). */
    static final String DNS = "10.0.2.3";
    private static final List<String> BLOCKED_V4 = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "224.0.0.0/3");
    private static final List<String> BLOCKED_V6 = List.of("::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
            "::ffff:0:0/96");
    private static final long READY_SECONDS = 10;
    /** How many resolved addresses a sandbox may open; beyond that its gate answers nothing more. */
    private static final int MAX_RESOLVED = 4096;
    private static final String DOMAINS_FILE = "egress-domains";
    private static final Logger LOG = LoggerFactory.getLogger(EgressNetwork.class);
    private static final Map<Path, DnsGate> GATES = new ConcurrentHashMap<>();

    private EgressNetwork() {}

    /**
     * Sets up egress for the sandbox whose init is {@code initPid}. slirp4netns's pid goes to
     * {@code ctl/slirp.pid}, which {@link #stop} reads, so a server that adopted the sandbox ends it too.
     */
    static void attach(long initPid, Egress egress, Path ctl) throws IOException {
        Path netns = netns(initPid);
        nft(netns, rules(egress, hostAddresses()), "cannot install the sandbox's egress rules");
        if (!egress.domains().isEmpty()) {
            Files.write(ctl.resolve(DOMAINS_FILE), egress.domains());
            GATES.put(ctl.getParent(), DnsGate.open(netns, egress.domains()));
        }
        Path ready = ctl.resolve("slirp.ready");
        LibC.mkfifo(ready, 0600);
        try (FileChannel channel = FileChannel.open(ready, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "exec \"$@\" 3>\"$READY\"", "sandpool-egress",
                    "/usr/bin/slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox",
                    "--enable-seccomp", "--ready-fd=3", "--netns-type=path", netns.toString(), "tap0")
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(ctl.resolve("slirp.log").toFile()))
                    .redirectErrorStream(true);
            builder.environment().put("READY", ready.toString());
            Process slirp = builder.start();
            Files.writeString(ctl.resolve("slirp.pid"), Long.toString(slirp.pid()));
            CompletableFuture<Integer> signal = FifoReads.supply(() -> {
                try {
                    return channel.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                signal.get(READY_SECONDS, TimeUnit.SECONDS);
                if (!slirp.isAlive()) {
                    throw new IOException("slirp4netns exited");
                }
            } catch (Exception e) {
                slirp.destroyForcibly();
                String log = Files.exists(ctl.resolve("slirp.log")) ? Files.readString(ctl.resolve("slirp.log")).strip() : "";
                throw new IOException("cannot give the sandbox egress (slirp4netns): " + log, e);
            }
        } finally {
            Files.deleteIfExists(ready);
        }
    }

    /**
     * After a restart, opens the resolver again for an adopted sandbox that had one: the rules and the
     * addresses already opened live on in its namespace, the gate's socket did not.
     */
    static void readopt(Path root, long initPid) {
        Path domains = root.resolve("ctl").resolve(DOMAINS_FILE);
        if (Files.exists(domains)) {
            try {
                GATES.put(root, DnsGate.open(netns(initPid), Files.readAllLines(domains)));
            } catch (IOException e) {
                LOG.warn("sandbox {} keeps no resolver after the restart: {}", root.getFileName(), e.toString());
            }
        }
    }

    /** Ends the slirp4netns (and resolver) of the sandbox whose directory is {@code root}, if it has any still running. */
    static void stop(Path root) {
        DnsGate gate = GATES.remove(root);
        if (gate != null) {
            gate.close();
        }
        Path pidFile = root.resolve("ctl").resolve("slirp.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
            if (cmdline.startsWith("/usr/bin/slirp4netns")) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // no egress, or its slirp has gone already
        }
    }

    /**
     * The rules, in the sandbox's namespace: loopback and DNS, then nothing private, then the
     * allow-list. With domains in the list, DNS goes only to the sandbox's own {@link DnsGate} (on
     * loopback), and the addresses it resolves are the sets' members.
     */
    static String rules(Egress egress, List<InetAddress> hostAddresses) {
        List<String> v4 = new ArrayList<>(BLOCKED_V4);
        List<String> v6 = new ArrayList<>(BLOCKED_V6);
        for (InetAddress address : hostAddresses) {
            (address instanceof Inet4Address ? v4 : v6).add(address.getHostAddress().replaceAll("%.*", ""));
        }
        boolean named = !egress.domains().isEmpty();
        // one rule per range: nft refuses overlapping intervals in one set, and host addresses overlap the ranges
        StringBuilder nft = new StringBuilder("table inet sandpool {\n");
        if (named) {
            nft.append("  set allowed4 { type ipv4_addr; size ").append(MAX_RESOLVED).append("; }\n")
                    .append("  set allowed6 { type ipv6_addr; size ").append(MAX_RESOLVED).append("; }\n");
        }
        nft.append("  chain egress {\n")
                .append("    type filter hook output priority 0; policy accept;\n")
                .append("    oif \"lo\" accept\n");
        if (!named) {
            nft.append("    ip daddr ").append(DNS).append(" meta l4proto { tcp, udp } th dport 53 accept\n");
        }
        v4.forEach(range -> nft.append("    ip daddr ").append(range).append(" reject with icmpx admin-prohibited\n"));
        v6.forEach(range -> nft.append("    ip6 daddr ").append(range).append(" reject with icmpx admin-prohibited\n"));
        for (String range : egress.cidrs()) {
            nft.append(range.contains(":") ? "    ip6 daddr " : "    ip daddr ").append(range).append(" accept\n");
        }
        if (named) {
            nft.append("    ip daddr @allowed4 accept\n    ip6 daddr @allowed6 accept\n");
        }
        if (!egress.cidrs().isEmpty() || named) {
            nft.append("    reject with icmpx admin-prohibited\n");
        }
        return nft.append("  }\n}\n").toString();
    }

    /** Runs an nftables script in the namespace at {@code netns}. */
    static void nft(Path netns, String script, String failure) throws IOException {
        Process nft = new ProcessBuilder("/usr/bin/nsenter", "--net=" + netns, "/usr/sbin/nft", "-f", "-")
                .redirectErrorStream(true).start();
        try (var in = nft.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        try {
            String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!nft.waitFor(30, TimeUnit.SECONDS) || nft.exitValue() != 0) {
                nft.destroyForcibly();
                throw new IOException(failure + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            nft.destroyForcibly();
            throw new java.io.InterruptedIOException("interrupted: " + failure);
        }
    }

    private static Path netns(long initPid) {
        return Path.of("/proc", Long.toString(initPid), "ns", "net");
    }

    /** Every address of the host's interfaces: slirp would reach the host's own services on them. */
    private static List<InetAddress> hostAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            addresses.addAll(Collections.list(nic.getInetAddresses()));
        }
        return addresses;
    }
}
