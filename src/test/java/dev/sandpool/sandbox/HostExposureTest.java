package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * What of the host session code can read or reach: none of the server's secrets or files, no
 * kernel knob, no host port on any loopback address, no other network. Nothing outside the
 * sandbox's own namespace is contacted: a sandbox without egress has no route out of it (the
 * addresses tried are documentation ones, which no network routes).
 */
class HostExposureTest {
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    @Test
    void theServersKeyAndFilesAreNowhereInTheSandbox() throws Exception {
        String key = hostile.server.server.apiKey().orElseThrow().key();
        StringBuilder serverFiles = new StringBuilder("[");
        try (var files = Files.walk(hostile.server.dataDir(), 1)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                serverFiles.append('\'').append(file).append("', ");
            }
        }
        serverFiles.append(']');
        JsonNode r = hostile.run("peek-02", """
                import os
                key = %s
                seen = []
                def look(path):
                    try:
                        with open(path, 'rb') as f:
                            if key in f.read(1 << 22):
                                seen.append(path)
                    except OSError:
                        pass
                for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
                    for name in ('environ', 'cmdline', 'mountinfo'):
                        look('/proc/%%s/%%s' %% (pid, name))
                for top in ('/etc', '/tmp', '/run', '/mnt/data', '/dev/shm'):
                    for root, dirs, files in os.walk(top):
                        for f in files:
                            look(os.path.join(root, f))
                if key in repr(dict(os.environ)).encode():
                    seen.append('os.environ')
                opened = {}
                for path in %s + ['/etc/shadow', '/root/.ssh', '/proc/kcore', '/sys/fs/cgroup/cgroup.procs',
                                  '/sys/class/net', '/var/lib/sandpool', '/home']:
                    try:
                        os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)
                        opened[path] = 'read'
                    except OSError as e:
                        opened[path] = e.errno
                written = {}
                # raising its own oom_score_adj is allowed; -1000 would exempt it from the OOM killer
                for path, value in (('/proc/sys/kernel/hostname', 'x'), ('/proc/sysrq-trigger', 'b'),
                                    ('/proc/sys/vm/drop_caches', '3'), ('/proc/1/oom_score_adj', '-1000'),
                                    ('/proc/self/oom_score_adj', '-1000'), ('/etc/passwd', 'x'), ('/usr/bin/python3', 'x')):
                    try:
                        with open(path, 'w') as f:
                            f.write(value)
                        written[path] = 'written'
                    except OSError as e:
                        written[path] = e.errno
                {'seen': seen, 'opened': opened, 'written': written}""".formatted(
                "b'" + key + "'", serverFiles), 120).path("result");
        assertThat(r.path("seen").toString()).isEqualTo("[]");
        r.path("opened").properties().forEach(e ->
                assertThat(e.getValue().asString()).as(e.getKey()).isNotEqualTo("read"));
        assertThat(r.path("opened").size()).isGreaterThan(7); // the server's own files were tried too
        r.path("written").properties().forEach(e ->
                assertThat(e.getValue().asString()).as(e.getKey()).isNotEqualTo("written"));
        hostile.assertContained("peek-02");
    }

    @Test
    void noHostPortOnAnyLoopbackAddressAndNoOtherNetworkIsReachable() throws Exception {
        try (ServerSocket v4 = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             ServerSocket v6 = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            JsonNode r = hostile.run("reach-01", """
                    import socket
                    def tcp(family, address):
                        s = socket.socket(family)
                        s.settimeout(3)
                        try:
                            s.connect(address)
                            return 'connected'
                        except OSError as e:
                            return e.errno if e.errno else type(e).__name__
                    def udp(address):
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        try:
                            s.sendto(b'x', address)
                            return 'sent'
                        except OSError as e:
                            return e.errno
                    def resolve(name):
                        try:
                            return socket.getaddrinfo(name, 443)[0][4][0]
                        except OSError as e:
                            return type(e).__name__
                    {'server': tcp(socket.AF_INET, ('127.0.0.1', %d)),
                     'host_v4': tcp(socket.AF_INET, ('127.0.0.1', %d)),
                     'host_v6': tcp(socket.AF_INET6, ('::1', %d)),
                     'other_loopback': tcp(socket.AF_INET, ('127.0.0.2', %d)),
                     'internet_v4': tcp(socket.AF_INET, ('192.0.2.1', 80)),
                     'internet_v6': tcp(socket.AF_INET6, ('2001:db8::1', 80)),
                     'udp_out': udp(('192.0.2.1', 53)),
                     'dns': resolve('example.com')}""".formatted(hostile.server.server.port(), v4.getLocalPort(),
                    v6.getLocalPort(), v4.getLocalPort())).path("result");
            for (String local : new String[] {"server", "host_v4", "host_v6", "other_loopback"}) {
                assertThat(r.path(local).asInt()).as(local + " " + r).isEqualTo(111); // ECONNREFUSED: only its own lo
            }
            for (String outside : new String[] {"internet_v4", "internet_v6", "udp_out"}) {
                assertThat(r.path(outside).asInt()).as(outside + " " + r).isEqualTo(101); // ENETUNREACH
            }
            assertThat(r.path("dns").asString()).isEqualTo("gaierror");
        }
        hostile.assertContained("reach-01");
    }
}
