package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Hostile code, run as session code on real sandboxes: each attempt is contained, and the server
 * keeps serving other sessions afterwards. Network checks stay inside the sandbox's own namespace
 * and the host's loopback; no other address is ever contacted.
 */
class ContainmentTest {
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    private static JsonNode run(String identifier, String code) {
        return hostile.run(identifier, code);
    }

    private static void assertServerStillServes() {
        hostile.assertOthersAnswer();
    }

    @Test
    void filesOfOneSessionAreInvisibleToAnother() {
        run("writer-01", "open('/mnt/data/secret.txt', 'w').write('top secret')");
        JsonNode reader = run("reader-01", """
                import os, glob
                found = [p for d in ('/mnt/data', '/tmp', '/run', '/opt', '/home', '/srv', '/var')
                         for p in glob.glob(d + '/**/secret.txt', recursive=True)]
                found""");
        assertThat(reader.path("result").toString()).isEqualTo("[]");
        assertThat(run("writer-01", "open('/mnt/data/secret.txt').read()").path("result").asString()).isEqualTo("top secret");
    }

    @Test
    void eachSessionRunsAsItsOwnUnprivilegedHostUid() throws Exception {
        run("uid-a-01", "open('/mnt/data/owner-a', 'w').write('a')");
        run("uid-b-01", "open('/mnt/data/owner-b', 'w').write('b')");
        java.util.Map<String, Integer> owners = new java.util.HashMap<>();
        for (String session : List.of("a", "b")) {
            try (HeldDirectory data = hostile.dataOf("uid-" + session + "-01")) {
                owners.put("owner-" + session, (Integer) java.nio.file.Files.getAttribute(
                        data.path().resolve("owner-" + session), "unix:uid"));
            }
        }
        int base = hostile.server.server.config().sandbox().uidBase();
        assertThat(owners).containsOnlyKeys("owner-a", "owner-b");
        assertThat(owners.get("owner-a")).isNotEqualTo(owners.get("owner-b")).isGreaterThanOrEqualTo(base);
        assertThat(owners.get("owner-b")).isGreaterThanOrEqualTo(base);
        assertThat(run("uid-a-01", "import os\n(os.getuid(), len([p for p in os.listdir('/proc') if p.isdigit()]) <= 3)").path("result").toString())
                .isEqualTo("[1000,true]");
    }

    @Test
    void mountUnshareAndSetnsAreDenied() {
        JsonNode p = run("escape-01", """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                results = {}
                results['mount'] = (libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())
                results['unshare_user'] = (libc.unshare(0x10000000), ctypes.get_errno())
                results['unshare_net'] = (libc.unshare(0x40000000), ctypes.get_errno())
                fd = os.open('/proc/self/ns/net', os.O_RDONLY)
                results['setns'] = (libc.setns(fd, 0), ctypes.get_errno())
                results['ptrace'] = (libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
                results""");
        JsonNode r = p.path("result");
        for (String call : List.of("mount", "unshare_user", "unshare_net", "setns", "ptrace")) {
            assertThat(r.path(call).get(0).asInt()).as(call).isEqualTo(-1);
            assertThat(r.path(call).get(1).asInt()).as(call).isEqualTo(1); // EPERM
        }
        JsonNode tool = run("escape-01", "import subprocess\nsubprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode");
        assertThat(tool.path("result").asInt()).isNotZero();
    }

    /** Every syscall the filter denies, called directly by number (x86_64), as hostile code would. */
    @Test
    void theSeccompFilterDeniesEveryListedSyscall() {
        JsonNode r = run("syscalls-1", """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                def call(nr, *args):
                    ctypes.set_errno(0)
                    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
                    return ctypes.get_errno() if rc == -1 else 'allowed'
                CLONE_NEWNET, SIGCHLD = 0x40000000, 17
                aio_context = ctypes.c_ulong(0)
                {'umount2': call(166, 0, 0), 'pivot_root': call(155, 0, 0), 'chroot': call(161, 0),
                 'process_vm_readv': call(310, 1, 0, 0, 0, 0, 0), 'process_vm_writev': call(311, 1, 0, 0, 0, 0, 0),
                 'bpf': call(321, 0, 0, 0), 'perf_event_open': call(298, 0, 0, -1, -1, 0),
                 'keyctl': call(250, 0, 0), 'add_key': call(248, 0, 0, 0, 0, 0), 'request_key': call(249, 0, 0, 0, 0),
                 'kexec_load': call(246, 0, 0, 0, 0), 'init_module': call(175, 0, 0, 0), 'finit_module': call(313, -1, 0, 0),
                 'delete_module': call(176, 0, 0), 'userfaultfd': call(323, 0), 'io_uring_setup': call(425, 1, 0),
                 'io_setup': call(206, 32767, ctypes.addressof(aio_context)),
                 'open_by_handle_at': call(304, -1, 0, 0), 'fsopen': call(430, 0, 0),
                 'clone_newnet': call(56, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0),
                 'tiocsti': call(16, 0, 0x5412, 0), 'clone3': call(435, 0, 0)}""").path("result");
        r.properties().forEach(e -> {
            int expected = e.getKey().equals("clone3") ? 38 : 1; // ENOSYS lets libc fall back to clone; else EPERM
            assertThat(e.getValue().asString()).as(e.getKey()).isEqualTo(Integer.toString(expected));
        });
        assertThat(r.size()).isEqualTo(22);
        // the fallback works: ordinary processes still start
        assertThat(run("syscalls-1", "import subprocess\nsubprocess.run(['true']).returncode").path("result").asInt()).isZero();
    }

    @Test
    void rawNetlinkAndPacketSocketsAreDenied() {
        JsonNode r = run("sockets-01", """
                import socket
                out = {}
                for name, args in {'raw': (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                                   'netlink': (socket.AF_NETLINK, socket.SOCK_DGRAM, 0),
                                   'packet': (socket.AF_PACKET, socket.SOCK_DGRAM, 0)}.items():
                    try:
                        socket.socket(*args)
                        out[name] = 'opened'
                    except OSError as e:
                        out[name] = e.errno
                out""").path("result");
        assertThat(r.path("raw").asInt()).isEqualTo(1);       // EPERM
        assertThat(r.path("netlink").asInt()).isEqualTo(97);  // EAFNOSUPPORT
        assertThat(r.path("packet").asInt()).isEqualTo(97);
    }

    @Test
    void nothingOutsideTheSandboxIsReachable() throws Exception {
        try (ServerSocket hostListener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int serverPort = hostile.server.server.port();
            JsonNode r = run("network-01", """
                    import socket
                    def attempt(port):
                        s = socket.socket()
                        s.settimeout(2)
                        try:
                            s.connect(('127.0.0.1', port))
                            return 'connected'
                        except OSError as e:
                            return type(e).__name__
                    interfaces = [line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:]]
                    routes = open('/proc/net/route').readlines()[1:]
                    {'server': attempt(%d), 'host': attempt(%d), 'interfaces': interfaces, 'routes': len(routes)}"""
                    .formatted(serverPort, hostListener.getLocalPort())).path("result");
            assertThat(r.path("server").asString()).isEqualTo("ConnectionRefusedError");
            assertThat(r.path("host").asString()).isEqualTo("ConnectionRefusedError");
            assertThat(r.path("interfaces").toString()).isEqualTo("[\"lo\"]");
            assertThat(r.path("routes").asInt()).isZero();
        }
    }

    @Test
    void theHostsSecretsAndServerFilesAreNotVisible() {
        JsonNode r = run("peek-01", """
                import os
                {'environ': sorted(os.environ), 'etc': sorted(os.listdir('/etc')),
                 'root_home': os.path.exists('/root'), 'var': os.path.exists('/var/lib/sandpool'),
                 'shadow': os.path.exists('/etc/shadow')}""").path("result");
        assertThat(r.path("environ").toString()).doesNotContain("SANDPOOL_").doesNotContain("JAVA");
        assertThat(r.path("root_home").asBoolean()).isFalse();
        assertThat(r.path("var").asBoolean()).isFalse();
        assertThat(r.path("shadow").asBoolean()).isFalse();
    }

    @Test
    void aMemoryBombIsKilledAndReportedAndTheIdentifierGetsAFreshSession() {
        run("membomb-01", "before = 1");
        JsonNode p = run("membomb-01", "hog = bytearray(1024 * 1024 * 1024)");
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("memory limit of 128Mi exceeded");
        assertServerStillServes();
        JsonNode next = run("membomb-01", "'works again'");
        assertThat(next.path("status").asString()).isEqualTo("Success");
    }

    @Test
    void aMemoryBombInAChildProcessIsKilledAndReported() {
        JsonNode p = run("membomb-02", """
                import subprocess, sys
                subprocess.run([sys.executable, '-c', 'x = bytearray(1 << 30)']).returncode""");
        assertThat(p.path("status").asString()).isEqualTo("Success");
        assertThat(p.path("result").asInt()).isIn(-9, 1);
        assertServerStillServes();
    }

    @Test
    void aForkBombHitsThePidsLimitAndTheServerKeepsServing() throws Exception {
        CompletableFuture<JsonNode> bomb = CompletableFuture.supplyAsync(() -> hostile.run("forkbomb-1", """
                import os
                while True:
                    os.fork()""", 20));
        assertServerStillServes();
        JsonNode p = bomb.get();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).contains("reached its process limit");
        assertServerStillServes();
        JsonNode after = run("forkbomb-1", "import os\n[p for p in os.listdir('/proc') if p.isdigit()]");
        assertThat(after.path("status").asString()).as(after.toString()).isEqualTo("Success");
        // a new sandbox: the bomb's survivors are gone with the old one
        assertThat(after.path("result").size()).isLessThanOrEqualTo(3);
    }

    @Test
    void theTmpfsIsSizeCapped() {
        JsonNode p = run("tmpfill-01", """
                outcome = 'no limit'
                try:
                    with open('/tmp/fill', 'wb') as f:
                        for _ in range(1024):
                            f.write(b'0' * (1 << 20))
                except OSError as e:
                    outcome = e.errno
                outcome""");
        assertThat(p.path("result").asInt()).isEqualTo(28); // ENOSPC
    }

    @Test
    void aProcessLeftRunningDoesNotSurviveTheSession() throws Exception {
        run("survivor-1", "import subprocess\nsubprocess.Popen(['sleep', '1000'])\n'started'");
        SandboxPids.assertSomeProcessRunsAsSessionUid(hostile.server);
        hostile.client.deleteSession(HostileServer.PYTHON, "survivor-1");
        SandboxPids.awaitNoProcessWith(hostile.server, "sleep 1000");
    }
}
