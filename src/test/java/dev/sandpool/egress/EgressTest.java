package dev.sandpool.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sandpool.testing.TestingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Egress, proven with the whole server running in an outer network namespace whose only peer is
 * a test host ({@link OuterNetwork}): EgressEnabled sessions reach public addresses and DNS, never
 * private, link-local, CGNAT or metadata ranges nor the machine they run on; an allow-list narrows
 * the public ones; EgressDisabled sessions reach nothing. The built-in pools' checks run under both
 * isolations: a pool name's suffix {@code -gv} is its gVisor twin.
 */
class EgressTest {
    private static final String PROBE = """
            import socket, urllib.request
            def fetch(address, port=80):
                try:
                    return urllib.request.urlopen(f'http://{address}:{port}/ok.txt', timeout=5).read().decode().strip()
                except Exception as e:
                    return 'blocked'
            def ask(server, name):
                # one raw DNS query, past the system resolver
                import struct
                q = struct.pack('>HHHHHH', 7, 0x0100, 1, 0, 0, 0) + b''.join(
                    bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(3)
                try:
                    s.sendto(q, (server, 53))
                    return 'answered' if s.recv(512) else 'blocked'
                except Exception:
                    return 'blocked'
            def resolve(name):
                try:
                    return socket.gethostbyname(name)
                except Exception as e:
                    return 'unresolved'
            """;
    private static OuterNetwork network;
    private static Process server;
    private static Path dataDir;
    private static dev.sandpool.config.SandboxConfig sandbox;

    @BeforeAll
    static void start() throws Exception {
        network = new OuterNetwork();
        dataDir = TestingRuntime.newDataDir();
        sandbox = TestingRuntime.sandboxConfig();
        Path config = dataDir.resolve("sandpool.yaml");
        // a custom container that tries each destination once, then serves what it got
        String image = dev.sandpool.image.TestImages.busybox(dataDir.resolve("image"), "v1").file("start.sh", """
                /bin/busybox mkdir -p /tmp/www
                for t in %s:80 10.77.0.1:80 169.254.169.254:80 %s:81; do
                  a=${t%%%%:*}; port=${t##*:}
                  if printf 'GET /ok.txt HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 5 $a $port 2>/dev/null | /bin/busybox grep -q reached
                  then echo reached; else echo blocked; fi > /tmp/www/$a
                done
                exec /bin/busybox httpd -f -p 8080 -h /tmp/www
                """.formatted(OuterNetwork.PUBLIC, OuterNetwork.OUTER)).build().skopeoRef();
        Files.writeString(config, """
                server: {host: 127.0.0.1, port: 8080, dataDir: %s}
                auth: {mode: none}
                sandbox: {uidBase: %d, uidCount: %d, cgroupParent: %s}
                pools:
                  - {name: open, networkStatus: EgressEnabled, maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: allowed, networkStatus: EgressEnabled, egressAllowList: [%s/32],
                     maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: named, networkStatus: EgressEnabled, egressAllowList: ['*.public.test', private.test],
                     maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: closed, maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: open-gv, isolation: gvisor, networkStatus: EgressEnabled, maxConcurrentSessions: 2,
                     readySessionInstances: 1}
                  - {name: allowed-gv, isolation: gvisor, networkStatus: EgressEnabled, egressAllowList: [%s/32],
                     maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: closed-gv, isolation: gvisor, maxConcurrentSessions: 2, readySessionInstances: 1}
                  - {name: web, containerType: CustomContainer, networkStatus: EgressEnabled, maxConcurrentSessions: 1,
                     readySessionInstances: 0, memory: 128Mi,
                     container: {image: '%s', targetPort: 8080, command: [/bin/sh, /start.sh]}}
                """.formatted(dataDir, sandbox.uidBase(), sandbox.uidCount(), sandbox.cgroupParent(), OuterNetwork.PUBLIC,
                OuterNetwork.PUBLIC, image));
        startServer();
    }

    private static void startServer() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        server = network.startOuter(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "dev.sandpool.cli.SandpoolCli", "serve", "--config",
                dataDir.resolve("sandpool.yaml").toString()), dataDir.resolve("server.log"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            assertThat(server.isAlive()).as(() -> log()).isTrue();
            return network.inOuter("curl", "-sf", "http://127.0.0.1:8080/readyz").contains("ready");
        });
    }

    private static String log() {
        try {
            return Files.readString(dataDir.resolve("server.log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** SIGTERM keeps sessions for the next start. */
    private static void stopServer() {
        if (server != null) {
            server.destroy();
            try {
                server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @AfterAll
    static void stop() {
        stopServer(); // the sessions it keeps are swept below
        if (sandbox != null) {
            // ends the sessions the server kept for its next start (and their slirp4netns), then removes everything
            try {
                new TestingRuntime(dataDir, sandbox).close();
            } catch (java.io.IOException e) {
                TestingRuntime.removeCgroupsAndData(sandbox.cgroupParent(), dataDir);
            }
        }
        if (network != null) {
            network.close();
        }
    }

    private static JsonNode run(String pool, String code) throws Exception {
        String body = JsonMapper.shared().writeValueAsString(java.util.Map.of("properties",
                java.util.Map.of("codeInputType", "inline", "executionType", "synchronous", "code", PROBE + code)));
        String answer = network.inOuter("curl", "-s", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                body, "http://127.0.0.1:8080/pools/" + pool + "/code/execute?api-version=2024-02-02-preview&identifier=probe-1");
        JsonNode json = JsonMapper.shared().readTree(answer);
        assertThat(json.path("properties").path("status").asString()).as(answer).isEqualTo("Success");
        return json.path("properties").path("result");
    }

    @ParameterizedTest(name = "isolation suffix ''{0}''")
    @ValueSource(strings = {"", "-gv"})
    void enabledEgressReachesPublicAddressesAndDnsButNothingPrivate(String isolation) throws Exception {
        assertThat(run("open" + isolation, "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("reached");
        assertThat(run("open" + isolation, "fetch('" + OuterNetwork.HOST + "')").asString()).isEqualTo("reached");
        assertThat(run("open" + isolation, "resolve('public.test')").asString()).isEqualTo(OuterNetwork.PUBLIC);
        assertThat(run("open" + isolation, "ask('10.0.2.3', 'host.test')").asString()).isEqualTo("answered");
        for (String address : OuterNetwork.PRIVATE) {
            assertThat(run("open" + isolation, "fetch('" + address + "')").asString()).as(address).isEqualTo("blocked");
        }
        // a name that resolves to a private address is no way around the rules
        assertThat(run("open" + isolation, "fetch(resolve('private.test'))").asString()).isEqualTo("blocked");
        // the machine the server runs on: its own address, and its loopback through slirp's gateway
        assertThat(run("open" + isolation, "fetch('" + OuterNetwork.OUTER + "', 81)").asString()).isEqualTo("blocked");
        assertThat(run("open" + isolation, "fetch('10.0.2.2', 8080)").asString()).isEqualTo("blocked");
        assertThat(run("open" + isolation, "fetch('127.0.0.1', 8080)").asString()).isEqualTo("blocked");
        // the sandbox cannot lift its rules: it holds no capability in its namespace
        assertThat(run("open" + isolation, """
                import subprocess
                r = subprocess.run(['sh', '-c', 'ip link set tap0 down 2>&1; echo rc=$?'], capture_output=True, text=True)
                r.stdout.strip().splitlines()[-1]""").asString()).isNotEqualTo("rc=0");
        assertThat(run("open" + isolation, "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("reached");
    }

    @ParameterizedTest(name = "isolation suffix ''{0}''")
    @ValueSource(strings = {"", "-gv"})
    void anAllowListLetsOnlyItsDestinationsThrough(String isolation) throws Exception {
        assertThat(run("allowed" + isolation, "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("reached");
        assertThat(run("allowed" + isolation, "fetch('" + OuterNetwork.HOST + "')").asString()).isEqualTo("blocked");
        assertThat(run("allowed" + isolation, "fetch('10.77.0.1')").asString()).isEqualTo("blocked");
        assertThat(run("allowed" + isolation, "resolve('public.test')").asString()).isEqualTo(OuterNetwork.PUBLIC);
    }

    @Test
    void domainsInTheAllowListOpenOnlyTheAddressesTheirNamesResolveTo() throws Exception {
        // nothing is open before a name is resolved, not even the address an allowed name will give
        assertThat(run("named", "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("blocked");
        assertThat(run("named", "resolve('host.test')").asString()).isEqualTo("unresolved");
        assertThat(run("named", "fetch('" + OuterNetwork.HOST + "')").asString()).isEqualTo("blocked");
        assertThat(run("named", "resolve('public.test')").asString()).as("*. matches names below only")
                .isEqualTo("unresolved");
        // no way around the gate: slirp's resolver is closed to this sandbox
        assertThat(run("named", "ask('10.0.2.3', 'host.test')").asString()).isEqualTo("blocked");

        assertThat(run("named", "fetch('api.public.test')").asString()).isEqualTo("reached");
        assertThat(run("named", "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("reached");
        // an allowed name that resolves to a private address is still refused
        assertThat(run("named", "resolve('private.test')").asString()).isEqualTo("10.77.0.1");
        assertThat(run("named", "fetch('private.test')").asString()).isEqualTo("blocked");
        assertThat(run("named", "fetch('" + OuterNetwork.HOST + "')").asString()).isEqualTo("blocked");

        // a restarted server opens the gate again for the session it kept
        run("named", "kept = 'yes'");
        stopServer();
        startServer();
        assertThat(run("named", "kept").asString()).isEqualTo("yes");
        assertThat(run("named", "resolve('api.public.test')").asString()).isEqualTo(OuterNetwork.PUBLIC);
        assertThat(run("named", "resolve('host.test')").asString()).isEqualTo("unresolved");
    }

    @Test
    void customContainersGetTheSameEgressAndTheSameRules() throws Exception {
        for (var expected : java.util.Map.of(OuterNetwork.PUBLIC, "reached", "10.77.0.1", "blocked",
                "169.254.169.254", "blocked", OuterNetwork.OUTER, "blocked").entrySet()) {
            String got = network.inOuter("curl", "-s", "--max-time", "60",
                    "http://127.0.0.1:8080/pools/web/" + expected.getKey() + "?identifier=container-1");
            assertThat(got.strip()).as(expected.getKey()).isEqualTo(expected.getValue());
        }
    }

    @ParameterizedTest(name = "isolation suffix ''{0}''")
    @ValueSource(strings = {"", "-gv"})
    void disabledEgressReachesNothing(String isolation) throws Exception {
        assertThat(run("closed" + isolation, "fetch('" + OuterNetwork.PUBLIC + "')").asString()).isEqualTo("blocked");
        assertThat(run("closed" + isolation, "resolve('public.test')").asString()).isEqualTo("unresolved");
    }
}
