package dev.sandpool.sandbox;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolver of a sandbox whose egress allow-list names domains. It listens on
 * {@link #ADDRESS}:53 inside the sandbox's network namespace (a port the sandbox may not bind
 * itself), refuses names the list does not match, and forwards the others to the host's
 * resolvers. Before an answer reaches the sandbox, its addresses join the namespace's nftables
 * sets that the allow rule matches: a name opens its addresses, and nothing else does.
 */
final class DnsGate implements AutoCloseable {
    static final String ADDRESS = "127.0.0.53";
    private static final Logger LOG = LoggerFactory.getLogger(DnsGate.class);
    private static final int MAX_MESSAGE = 4096;
    private static final int MAX_IN_FLIGHT = 16;
    private static final int UPSTREAM_TIMEOUT_MS = 3000;

    private final Path netns;
    private final List<String> domains;
    private final DatagramSocket socket;
    private final Set<InetAddress> opened = ConcurrentHashMap.newKeySet();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    private DnsGate(Path netns, List<String> domains, DatagramSocket socket) {
        this.netns = netns;
        this.domains = List.copyOf(domains);
        this.socket = socket;
    }

    /** Opens the gate in the namespace at {@code netns} and starts answering. */
    static DnsGate open(Path netns, List<String> domains) throws IOException {
        DatagramSocket socket = NetNamespace.inside(netns,
                () -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ADDRESS), 53)));
        DnsGate gate = new DnsGate(netns, domains, socket);
        Thread.ofVirtual().name("dns-gate").start(gate::serve);
        return gate;
    }

    static boolean matches(List<String> domains, String name) {
        for (String domain : domains) {
            if (domain.startsWith("*.") ? name.endsWith(domain.substring(1)) : name.equals(domain)) {
                return true;
            }
        }
        return false;
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(new byte[MAX_MESSAGE], MAX_MESSAGE);
                socket.receive(query);
                // a flood of queries waits for none: beyond the limit they are dropped, as a busy resolver would
                if (inFlight.tryAcquire()) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            answer(query);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.debug("dns gate: {}", e.toString());
                }
            }
        }
    }

    private void answer(DatagramPacket query) {
        try {
            Optional<String> name = DnsMessage.questionName(query.getData(), query.getLength());
            if (name.isEmpty()) {
                return;
            }
            byte[] reply;
            int length;
            if (!matches(domains, name.get())) {
                reply = DnsMessage.nameError(query.getData(), query.getLength());
                length = reply.length;
            } else {
                DatagramPacket upstream = forward(query);
                reply = upstream.getData();
                length = upstream.getLength();
                allow(DnsMessage.answerAddresses(reply, length));
            }
            socket.send(new DatagramPacket(reply, length, query.getSocketAddress()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("dns gate: no answer: {}", e.toString());
        }
    }

    private static DatagramPacket forward(DatagramPacket query) throws IOException {
        IOException last = new IOException("no resolver in /etc/resolv.conf");
        for (InetAddress resolver : resolvers()) {
            try (DatagramSocket out = new DatagramSocket()) {
                out.setSoTimeout(UPSTREAM_TIMEOUT_MS);
                out.send(new DatagramPacket(query.getData(), query.getLength(), resolver, 53));
                DatagramPacket reply = new DatagramPacket(new byte[MAX_MESSAGE], MAX_MESSAGE);
                out.receive(reply);
                return reply;
            } catch (SocketTimeoutException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The host's resolvers, read at each query so that a changed resolv.conf takes effect. */
    private static List<InetAddress> resolvers() throws IOException {
        List<InetAddress> resolvers = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                resolvers.add(InetAddress.ofLiteral(words[1].replaceAll("%.*", "")));
            }
        }
        return resolvers;
    }

    private void allow(List<InetAddress> addresses) throws IOException {
        StringBuilder nft = new StringBuilder();
        for (InetAddress address : addresses) {
            if (!opened.contains(address)) {
                nft.append("add element inet sandpool ").append(address instanceof Inet4Address ? "allowed4" : "allowed6")
                        .append(" { ").append(address.getHostAddress()).append(" }\n");
            }
        }
        if (nft.isEmpty()) {
            return;
        }
        EgressNetwork.nft(netns, nft.toString(), "cannot open resolved addresses");
        opened.addAll(addresses);
    }

    @Override
    public void close() {
        socket.close();
    }
}
