package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Attempts to leave the sandbox or reach into another, run as session code with the real syscalls
 * (through ctypes): every one fails, the victim is untouched, and the server keeps serving. The
 * basic mount, unshare and seccomp checks are in {@link ContainmentTest}.
 */
class EscapeTest {
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    @Test
    void anotherSessionIsUnreachableByHostPathByProcAndByGuessingItsUid() throws Exception {
        hostile.run("victim-01", "open('/mnt/data/secret.txt', 'w').write('top secret')\n"
                + "import subprocess\nsubprocess.Popen(['sleep', '1001'])\n'ok'");
        Sandbox victim = hostile.server.sandboxOf(HostileServer.PYTHON, "victim-01");
        // where its volume is mounted while it starts; settled, it is mounted in its sandbox only
        Path secret = hostile.server.dataDir().resolve("sessions").resolve(victim.id()).resolve("volume/data/secret.txt");
        int victimUid = victim.handle().uid();
        try (HeldDirectory data = victim.openData()) {
            assertThat((Integer) Files.getAttribute(data.path().resolve("secret.txt"), "unix:uid")).isEqualTo(victimUid);
        }
        long victimPid = ProcScan.processesOwnedBy(uid -> uid == victimUid).stream()
                .filter(pid -> SandboxPids.cmdline(pid).equals("sleep 1001")).findFirst().orElseThrow();
        JsonNode r = hostile.run("thief-01", """
                import os
                out = {}
                def attempt(name, f):
                    try:
                        out[name] = 'got ' + repr(f())[:60]
                    except OSError as e:
                        out[name] = e.errno
                attempt('host_path', lambda: open('%s').read())
                attempt('proc_root', lambda: open('/proc/%d/root/mnt/data/secret.txt').read())
                attempt('proc_environ', lambda: open('/proc/%d/environ').read())
                attempt('signal', lambda: os.kill(%d, 9))
                attempt('become_victim', lambda: os.setresuid(%d, %d, %d))
                open('/mnt/data/mine', 'w').close()
                attempt('give_to_victim', lambda: os.chown('/mnt/data/mine', %d, %d))
                out['pids'] = [int(p) for p in os.listdir('/proc') if p.isdigit()]
                out""".formatted(secret, victimPid, victimPid, victimPid, victimUid, victimUid, victimUid,
                victimUid, victimUid)).path("result");
        assertThat(r.path("host_path").asInt()).as(r.toString()).isEqualTo(2);     // ENOENT: not mounted here
        assertThat(r.path("proc_root").asInt()).as(r.toString()).isEqualTo(2);     // not in this pid namespace
        assertThat(r.path("proc_environ").asInt()).as(r.toString()).isEqualTo(2);
        assertThat(r.path("signal").asInt()).as(r.toString()).isEqualTo(3);        // ESRCH
        assertThat(r.path("become_victim").asInt()).as(r.toString()).isIn(1, 22); // unmapped uid
        assertThat(r.path("give_to_victim").asInt()).as(r.toString()).isIn(1, 22); // unmapped uid
        assertThat(r.path("pids").size()).isLessThanOrEqualTo(3);
        assertThat(hostile.run("victim-01", "open('/mnt/data/secret.txt').read()").path("result").asString())
                .isEqualTo("top secret");
        assertThat(SandboxPids.cmdline(victimPid)).isEqualTo("sleep 1001");
        hostile.assertContained("thief-01");
    }

    @Test
    void everyNamespaceOfInitIsOutOfReachAndNoNewOneCanBeMade() {
        JsonNode r = hostile.run("setns-01", """
                import ctypes, os, subprocess
                libc = ctypes.CDLL(None, use_errno=True)
                def rc(v):
                    return ctypes.get_errno() if v == -1 else 'allowed'
                out = {}
                for ns in sorted(os.listdir('/proc/1/ns')):
                    fd = os.open('/proc/1/ns/' + ns, os.O_RDONLY)
                    out['setns_' + ns] = rc(libc.setns(fd, 0))
                    os.close(fd)
                flags = {'user': 0x10000000, 'mnt': 0x20000, 'net': 0x40000000, 'pid': 0x20000000,
                         'ipc': 0x8000000, 'uts': 0x4000000, 'cgroup': 0x2000000}
                for name, flag in flags.items():
                    out['unshare_' + name] = rc(libc.unshare(flag))
                out['bind_mount'] = rc(libc.mount(b'/usr', b'/tmp', None, 4096, None))
                out['umount_usr'] = rc(libc.umount2(b'/usr', 2))
                out['tool_unshare'] = subprocess.run(['unshare', '-Ur', 'true'], capture_output=True).returncode
                out['tool_nsenter'] = subprocess.run(['nsenter', '-t', '1', '-a', 'true'], capture_output=True).returncode
                out""").path("result");
        List<String> setns = r.propertyNames().stream().filter(n -> n.startsWith("setns_")).toList();
        assertThat(setns).contains("setns_user", "setns_mnt", "setns_net", "setns_pid", "setns_cgroup");
        r.properties().forEach(e -> {
            if (e.getKey().startsWith("tool_")) {
                assertThat(e.getValue().asInt()).as(e.getKey()).isNotZero();
            } else {
                assertThat(e.getValue().asString()).as(e.getKey()).isEqualTo("1"); // EPERM
            }
        });
        hostile.assertContained("setns-01");
    }

    @Test
    void theDriverCannotBeTracedByItsOwnChildren() {
        JsonNode r = hostile.run("ptrace-01", """
                import json, subprocess, sys
                child = '''
                import ctypes, json, os
                libc = ctypes.CDLL(None, use_errno=True)
                libc.ptrace.restype = ctypes.c_long
                def rc(v):
                    return ctypes.get_errno() if v == -1 else 'allowed'
                driver = os.getppid()
                iov = (ctypes.c_long * 2)(0, 0)
                print(json.dumps({'attach_driver': rc(libc.ptrace(16, driver, 0, 0)),
                                  'seize_driver': rc(libc.ptrace(0x4206, driver, 0, 0)),
                                  'attach_init': rc(libc.ptrace(16, 1, 0, 0)),
                                  'traceme': rc(libc.ptrace(0, 0, 0, 0)),
                                  'vm_readv': rc(libc.process_vm_readv(driver, iov, 1, iov, 1, 0))}))
                '''
                json.loads(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True).stdout)""").path("result");
        assertThat(r.size()).as(r.toString()).isEqualTo(5);
        r.properties().forEach(e -> assertThat(e.getValue().asString()).as(e.getKey()).isEqualTo("1"));
        hostile.assertContained("ptrace-01");
    }

    /** runc's CVE-2019-5736 wrote the runtime binary through /proc/self/exe; here every such binary is read-only. */
    @Test
    void procSelfExeCannotBeOverwrittenAndReExecStaysInside() {
        JsonNode r = hostile.run("selfexe-01", """
                import os, subprocess
                out = {}
                for name, path in {'self_exe': '/proc/self/exe', 'init_exe': '/proc/1/exe',
                                   'python': os.path.realpath('/proc/self/exe')}.items():
                    try:
                        with open(path, 'r+b') as f:
                            f.write(b'\\x7fELF')
                        out[name] = 'written'
                    except OSError as e:
                        out[name] = e.errno
                probe = 'import os; print(os.getuid(), len([p for p in os.listdir("/proc") if p.isdigit()]), ' \\
                        '[l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])'
                out['reexec'] = subprocess.run(['/proc/self/exe', '-c', probe], capture_output=True, text=True).stdout.split()
                out""").path("result");
        for (String target : List.of("self_exe", "init_exe", "python")) {
            assertThat(r.path(target).asInt()).as(r.toString()).isIn(13, 26, 30); // EACCES, ETXTBSY, EROFS
        }
        assertThat(r.path("reexec").get(0).asString()).isEqualTo("1000");
        assertThat(r.path("reexec").get(1).asInt()).isLessThanOrEqualTo(5);
        assertThat(r.path("reexec").get(2).asString()).isEqualTo("0000000000000000");
        hostile.assertContained("selfexe-01");
    }

    /** The kernel interfaces behind most container escapes, called with real arguments. */
    @Test
    void openByHandleKeyctlBpfIoUringAndPerfFailWithRealArguments() {
        JsonNode r = hostile.run("kernel-01", """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                L = ctypes.c_long
                def call(nr, *args):
                    ctypes.set_errno(0)
                    rc = libc.syscall(L(nr), *args)
                    return ctypes.get_errno() if rc == -1 else 'allowed'
                out = {}
                # "shocker": a file handle for inode 2 (the root directory) of the filesystem behind /usr
                handle = (ctypes.c_uint * 4)(8, 1, 2, 0)
                usr = os.open('/usr', os.O_RDONLY)
                out['open_by_handle_at'] = call(304, L(usr), handle, L(os.O_RDONLY))
                out['keyctl_join'] = call(250, L(1), b'sandpool-escape')
                out['add_key'] = call(248, b'user', b'sandpool', b'payload', L(7), L(-3))
                out['request_key'] = call(249, b'user', b'sandpool', None, L(-3))
                bpf_attr = (ctypes.c_uint * 30)(1, 4, 4, 1)  # BPF_MAP_TYPE_HASH, key 4, value 4, 1 entry
                out['bpf_map_create'] = call(321, L(0), bpf_attr, L(120))
                params = (ctypes.c_uint * 30)()
                out['io_uring_setup'] = call(425, L(8), params)
                perf_attr = (ctypes.c_uint * 32)(1, 128)  # PERF_TYPE_SOFTWARE, size 128, cpu clock
                out['perf_event_open'] = call(298, perf_attr, L(0), L(-1), L(-1), L(0))
                out['userfaultfd'] = call(323, L(0o2000000))
                out['open_tree'] = call(428, L(-100), b'/', L(1))
                out""").path("result");
        assertThat(r.size()).isEqualTo(9);
        r.properties().forEach(e -> assertThat(e.getValue().asString()).as(e.getKey()).isEqualTo("1"));
        hostile.assertContained("kernel-01");
    }

    /**
     * A filter that checked only x86_64 numbers would let the same call through the 32-bit
     * ({@code int 0x80}) or x32 entry points: kcmp is denied, and harmless enough to try that way.
     */
    @Test
    void theSyscallFilterCannotBeBypassedThroughOtherAbis() {
        JsonNode r = hostile.run("abi-01", """
                import subprocess, sys
                i386 = r'''
                import ctypes, mmap, os
                # push rbx; mov eax, 349 (kcmp, i386); mov ebx, edi; mov ecx, edi; xor edx, edx; xor esi, esi;
                # xor edi, edi; int 0x80; pop rbx; ret
                code = bytes.fromhex('53b85d01000089fb89f931d231f631ffcd805bc3')
                page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                page.write(code)
                f = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
                print(f(os.getpid()))
                '''
                x32 = r'''
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                pid = ctypes.c_long(os.getpid())
                rc = libc.syscall(ctypes.c_long(0x40000000 | 312), pid, pid, ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
                print(-ctypes.get_errno() if rc == -1 else rc)
                '''
                native = r'''
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                pid = ctypes.c_long(os.getpid())
                rc = libc.syscall(ctypes.c_long(312), pid, pid, ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
                print(-ctypes.get_errno() if rc == -1 else rc)
                '''
                out = {}
                for name, prog in {'i386': i386, 'x32': x32, 'native': native}.items():
                    p = subprocess.run([sys.executable, '-c', prog], capture_output=True, text=True)
                    out[name] = p.stdout.strip() if p.returncode == 0 else 'signal %d' % -p.returncode
                out""").path("result");
        assertThat(r.path("native").asString()).isEqualTo("-1"); // EPERM from the filter
        // a call from another ABI is not merely refused: the filter kills the process (SIGSYS); a
        // kernel without 32-bit emulation faults on int 0x80 instead (SIGSEGV)
        assertThat(r.path("i386").asString()).as(r.toString()).isIn("signal 31", "signal 11");
        assertThat(r.path("x32").asString()).as(r.toString()).isEqualTo("signal 31");
        hostile.assertContained("abi-01");
    }

    @Test
    void setuidBinariesOfTheHostGiveNoPrivilege() {
        JsonNode r = hostile.run("setuid-01", """
                import os, stat, subprocess
                found = []
                for d in ('/usr/bin', '/usr/sbin', '/usr/lib', '/usr/libexec'):
                    for root, _, files in os.walk(d):
                        for f in files:
                            p = os.path.join(root, f)
                            try:
                                st = os.lstat(p)
                            except OSError:
                                continue
                            if stat.S_ISREG(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
                                found.append(p)
                creds = {}
                for p in found:
                    try:
                        proc = subprocess.Popen([p, '--version'], stdin=subprocess.DEVNULL,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    except OSError as e:
                        creds[p] = e.errno
                        continue
                    # Popen returns after the exec: running or a zombie, the credentials are the exec's
                    creds[p] = sorted({v for l in open('/proc/%d/status' % proc.pid)
                                       if l.startswith(('Uid:', 'Gid:')) for v in l.split()[1:]})
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                mounts = {l.split()[4]: l.split()[5] for l in open('/proc/self/mountinfo')}
                su = subprocess.run(['su', '-c', 'id -u', 'root'], stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
                {'creds': creds, 'usr': mounts['/usr'],
                 'no_new_privs': [l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')][0],
                 'mount': subprocess.run(['mount', '-t', 'tmpfs', 'none', '/tmp'], capture_output=True).returncode,
                 'su': [su.returncode, su.stdout.decode()]}""", 120).path("result");
        assertThat(r.path("creds").size()).as("setuid binaries on the host to try").isPositive();
        r.path("creds").properties().forEach(e -> {
            if (e.getValue().isArray()) {
                assertThat(e.getValue().toString()).as(e.getKey()).isEqualTo("[\"1000\"]");
            } else {
                assertThat(e.getValue().asInt()).as(e.getKey()).isEqualTo(13); // not executable by others
            }
        });
        assertThat(r.path("usr").asString()).contains("nosuid");
        assertThat(r.path("no_new_privs").asString()).isEqualTo("1");
        assertThat(r.path("mount").asInt()).isNotZero();
        assertThat(r.path("su").get(0).asInt()).isNotZero();
        assertThat(r.path("su").get(1).asString()).doesNotContain("0");
        hostile.assertContained("setuid-01");
    }
}
