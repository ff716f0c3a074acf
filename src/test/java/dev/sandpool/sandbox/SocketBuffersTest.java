package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Session code that fills TCP buffers: thousands of connections over its own loopback, each written
 * to and never read. Buffers are kernel memory outside what cgroup v1 counts as a group's memory: a
 * 128Mi session held 2.3 GiB of them, past the host's whole TCP allowance (net.ipv4.tcp_mem, shared
 * by every network namespace), which puts every TCP socket on the host, the server's own included,
 * under memory pressure. With a TCP limit of its own it still held 650 MiB, one 64 KiB packet per
 * connection: hence Ethernet-sized packets on a sandbox's loopback ({@link SmallLoopback}).
 */
class SocketBuffersTest {
    /** Each pair costs two file descriptors: within the 20,000 a sandbox's process may have on the smallest host here. */
    private static final int PAIRS = 9500;
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    @Test
    void buffersHeldByASessionStopAtItsOwnLimit() throws Exception {
        Held held = hold("tcp-01", "TCP:", """
                import fcntl, resource, socket, struct, time
                resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
                server = socket.socket()
                server.bind(('127.0.0.1', 0))
                server.listen(4096)
                keep, queued, error = [], 0, None
                chunk = b'x' * (1 << 20)
                try:
                    for _ in range(PAIRS):
                        client = socket.socket()
                        client.connect(server.getsockname())
                        accepted, _ = server.accept()
                        client.setblocking(False)
                        keep += [client, accepted]
                        while True:
                            try:
                                queued += client.send(chunk)
                            except BlockingIOError:
                                break
                except OSError as e:
                    error = e.errno
                # SIOCGIFMTU: struct ifreq is the name, then the MTU
                mtu = struct.unpack('16si', fcntl.ioctl(server, 0x8921, struct.pack('16si', b'lo', 0)))[1]
                open('/mnt/data/full', 'w').close()
                time.sleep(5)
                [queued >> 20, error, len(keep) // 2, mtu]""".replace("PAIRS", Integer.toString(PAIRS)));
        JsonNode p = held.answer();
        if (!p.path("stderr").asString().contains("memory limit")) {
            assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
            assertThat(p.path("result").get(0).asLong()).as("MiB queued: " + p).isLessThan(256);
            assertThat(p.path("result").get(2).asInt()).as("connection pairs made").isEqualTo(PAIRS);
            assertThat(p.path("result").get(3).asInt()).as("the sandbox's loopback MTU").isEqualTo(1500);
        }
        long pressure = Long.parseLong(sysctl("/proc/sys/net/ipv4/tcp_mem").split("\\s+")[0]);
        assertThat(held.hostPages()).as("the host's TCP memory, in pages, against where pressure starts").isLessThan(pressure);
        hostile.assertWorksOrReplaced("tcp-01");
    }

    /** UDP buffers count against the same limit: datagrams sent to thousands of sockets that never read. */
    @Test
    void datagramsQueuedByASessionStopAtTheSameLimit() throws Exception {
        Held held = hold("udp-01", "UDP:", """
                import resource, socket, time
                resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
                sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sender.setblocking(False)
                keep, sent, error = [], 0, None
                datagram = b'x' * 60000
                try:
                    for _ in range(9000):
                        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        receiver.bind(('127.0.0.1', 0))
                        keep.append(receiver)
                        for _ in range(8):
                            try:
                                sent += sender.sendto(datagram, receiver.getsockname())
                            except BlockingIOError:
                                break
                except OSError as e:
                    error = e.errno
                open('/mnt/data/full', 'w').close()
                time.sleep(5)
                [sent >> 20, error, len(keep)]""");
        JsonNode p = held.answer();
        if (!p.path("stderr").asString().contains("memory limit")) {
            assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
            assertThat(p.path("result").get(2).asInt()).as("sockets made: " + p).isEqualTo(9000);
        }
        // 9,000 sockets with 480 KB each would be 4 GiB; what they hold is bounded like TCP's
        assertThat(held.hostPages() * 4096).as("the host's UDP memory, in bytes").isLessThan(2 * ResourceLimits.TCP_BUFFER_CAP);
        hostile.assertWorksOrReplaced("udp-01");
    }

    /** What a hog answered, and the host's buffer pages of its protocol while it held them. */
    private record Held(JsonNode answer, long hostPages) {}

    /**
     * Runs {@code code} in session {@code identifier}: it fills buffers, creates /mnt/data/full and
     * holds them a few seconds, meanwhile the host's pages of {@code protocol} are read and another
     * session must answer.
     */
    private static Held hold(String identifier, String protocol, String code) throws Exception {
        HeldDirectory data = hostile.dataOf(identifier);
        Path full = data.path().resolve("full");
        CompletableFuture<JsonNode> hog = CompletableFuture.supplyAsync(() -> hostile.run(identifier, code, 120));
        await().atMost(Duration.ofSeconds(110)).until(() -> Files.exists(full) || hog.isDone());
        data.close();
        long pages = pagesInUse(protocol);
        hostile.assertOthersAnswer();
        return new Held(hog.get(120, TimeUnit.SECONDS), pages);
    }

    /** A sysctl answers only a read from offset 0, which Files.readString does not make. */
    private static String sysctl(String path) throws Exception {
        try (var in = Files.newInputStream(Path.of(path))) {
            return new String(in.readNBytes(256), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
    }

    /** Pages of a protocol's buffers in use on the whole host (every network namespace counts the same total). */
    private static long pagesInUse(String protocol) throws Exception {
        String tcp = Files.readAllLines(Path.of("/proc/net/sockstat")).stream().filter(l -> l.startsWith(protocol))
                .findFirst().orElseThrow();
        String[] fields = tcp.split("\\s+");
        for (int i = 0; i < fields.length - 1; i++) {
            if (fields[i].equals("mem")) {
                return Long.parseLong(fields[i + 1]);
            }
        }
        throw new IllegalStateException(tcp);
    }
}
