package dev.sandpool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Airlift's pair for every config record: the defaults, and every key's mapping. */
class ConfigLoaderTest {

    @Test
    void defaults() {
        SandpoolConfig config = ConfigLoader.parse("pools:\n  - name: default\n").validated();
        assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 8080, Path.of("/var/lib/sandpool")));
        assertThat(config.auth()).isEqualTo(new AuthConfig(AuthMode.API_KEY, new ManagedIdentityConfig(false, "")));
        assertThat(config.sandbox()).isEqualTo(new SandboxConfig(200_000, 10_000, "sandpool", DataSize.parse("64Mi"), 256));
        assertThat(config.execution()).isEqualTo(new ExecutionConfig(DataSize.parse("1Mi"), 60, 220, 3, false));
        assertThat(config.files()).isEqualTo(new FilesConfig(DataSize.parse("128M"), DataSize.parse("1Gi")));
        assertThat(config.pools()).containsExactly(new PoolConfig("default", ContainerType.PythonLTS, 10, 5, 300,
                NetworkStatus.EgressDisabled, 1.0, DataSize.parse("1Gi"), List.of()));
        assertThat(config.pools().getFirst().isolation()).isEqualTo(Isolation.NAMESPACES);
    }

    @Test
    void builtInDefaultIsOnePythonPoolNamedDefault() {
        SandpoolConfig config = SandpoolConfig.defaults().validated();
        assertThat(config.pools()).extracting(PoolConfig::name).containsExactly("default");
        assertThat(config.pools().getFirst().containerType()).isEqualTo(ContainerType.PythonLTS);
        assertThat(config.server().port()).isEqualTo(8080);
    }

    @Test
    void explicitPropertyMappings() {
        String yaml = """
                server:
                  host: 0.0.0.0
                  port: 9090
                  dataDir: /srv/sandpool
                auth:
                  mode: api-key
                  managedIdentity:
                    enabled: true
                    secret: 0123456789abcdef-secret
                sandbox:
                  uidBase: 500000
                  uidCount: 100
                  cgroupParent: sp-test
                  tmpSize: 32Mi
                  pidsLimit: 64
                execution:
                  maxOutput: 4Ki
                  defaultTimeoutInSeconds: 30
                  maxTimeoutInSeconds: 120
                  interruptGraceInSeconds: 5
                  stringifyExecutionResult: true
                files:
                  maxUploadSize: 10Mi
                  sessionQuota: 100Mi
                pools:
                  - name: analysts
                    containerType: pythonlts
                    maxConcurrentSessions: 20
                    readySessionInstances: 7
                    cooldownPeriodInSeconds: 600
                    networkStatus: EgressEnabled
                    egressAllowList: [203.0.113.0/24, "2001:db8::/32", api.example.com, "*.pypi.org"]
                    cpu: 0.5
                    memory: 512Mi
                    preload: [numpy, pandas]
                    isolation: gvisor
                """;
        SandpoolConfig config = ConfigLoader.parse(yaml).validated();
        assertThat(config).isEqualTo(new SandpoolConfig(
                new ServerConfig("0.0.0.0", 9090, Path.of("/srv/sandpool")),
                new AuthConfig(AuthMode.API_KEY, new ManagedIdentityConfig(true, "0123456789abcdef-secret")),
                new SandboxConfig(500_000, 100, "sp-test", DataSize.parse("32Mi"), 64),
                new ExecutionConfig(DataSize.parse("4Ki"), 30, 120, 5, true),
                new FilesConfig(DataSize.parse("10Mi"), DataSize.parse("100Mi")),
                List.of(new PoolConfig("analysts", ContainerType.PythonLTS, 20, 7, 600, NetworkStatus.EgressEnabled,
                        0.5, DataSize.parse("512Mi"), List.of("numpy", "pandas"), null,
                        List.of("203.0.113.0/24", "2001:db8::/32", "api.example.com", "*.pypi.org"), Isolation.GVISOR))));
    }

    @Test
    void isolationIsNamespacesOrGvisorAndGvisorIsNotForCustomContainers() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: a1b\n    isolation: firecracker\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("isolation must be namespaces or gvisor (got 'firecracker')");
        assertThat(ConfigLoader.parse("pools:\n  - name: a1b\n    isolation: GVisor\n").pools().getFirst().isolation())
                .isEqualTo(Isolation.GVISOR);
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: web\n    containerType: CustomContainer\n"
                + "    isolation: gvisor\n    container: {image: 'registry.example/app:1', targetPort: 8080}\n").validated())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pools[0].isolation: gvisor is for PythonLTS, NodeLTS and Shell pools");
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyAndWhere() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: a1b\n    maxSessions: 3\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'maxSessions'")
                .hasMessageContaining("pools[0]");
        assertThatThrownBy(() -> ConfigLoader.parse("servr:\n  port: 1\n"))
                .hasMessageContaining("unknown key 'servr'");
    }

    @Test
    void invalidValuesNameTheKeyAndTheAllowedRange() {
        String yaml = """
                pools:
                  - name: p1x
                    maxConcurrentSessions: 3
                    readySessionInstances: 4
                    cooldownPeriodInSeconds: 0
                    egressAllowList: [203.0.113.0/24]
                  - name: p2x
                    networkStatus: EgressEnabled
                    egressAllowList: [example.com, "*.example.org", 10.0.0.0/33, 300.1.1.1, "2001:db8::/129", "2001:db8::/32",
                      198.51.100.7, "*.com.", "a..b", "-bad.example", "*", "*.", "ex ample.com", "**.x.org", "http://x.org"]
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml).validated())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pools[0].readySessionInstances: must be between 0 and maxConcurrentSessions (3)")
                .hasMessageContaining("pools[0].cooldownPeriodInSeconds: must be between 1 and 86400")
                .hasMessageContaining("pools[0].egressAllowList: only applies when networkStatus is EgressEnabled")
                .hasMessageContaining("pools[1].egressAllowList: '10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR, "
                        + "a domain name, or *. and a domain name").hasMessageContaining("'300.1.1.1' is not")
                .hasMessageContaining("'2001:db8::/129' is not")
                .hasMessageContaining("'*.com.' is not").hasMessageContaining("'a..b' is not")
                .hasMessageContaining("'-bad.example' is not").hasMessageContaining("'*' is not")
                .hasMessageContaining("'*.' is not").hasMessageContaining("'ex ample.com' is not")
                .hasMessageContaining("'**.x.org' is not").hasMessageContaining("'http://x.org' is not")
                .message().doesNotContain("'2001:db8::/32'").doesNotContain("'198.51.100.7'")
                .doesNotContain("'example.com'").doesNotContain("'*.example.org'");
    }

    @Test
    void wrongTypesAndBadSizesAreErrors() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: p1x\n    memory: lots\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pools[0].memory");
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  port: eighty\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
    }

    @Test
    void customContainerKeysMapToTheContainerRecord() {
        PoolConfig pool = ConfigLoader.parse("""
                pools:
                  - name: web
                    containerType: CustomContainer
                    container:
                      image: 127.0.0.1:5000/team/app:v2
                      command: [/bin/app]
                      args: [--port, "8080"]
                      env: {MODE: prod}
                      targetPort: 8080
                      registryServer: 127.0.0.1:5000
                      registryUsername: puller
                      registryPasswordFile: /etc/sandpool/registry.pass
                      secretEnv: {API_TOKEN: /etc/sandpool/api-token}
                      lifecycle: OnContainerExit
                      maxAlivePeriodInSeconds: 900
                      probes:
                        - type: Startup
                          httpGet: {path: /healthz, port: 8081, host: app.local, scheme: HTTPS,
                                    httpHeaders: [{name: X-Probe, value: "1"}]}
                          initialDelaySeconds: 2
                          periodSeconds: 3
                          timeoutSeconds: 4
                          failureThreshold: 5
                          successThreshold: 1
                          terminationGracePeriodSeconds: 30
                        - type: Liveness
                          tcpSocket: {port: 8080}
                """).validated().pools().getFirst();
        assertThat(pool.container()).isEqualTo(new CustomContainerConfig("127.0.0.1:5000/team/app:v2", List.of("/bin/app"),
                List.of("--port", "8080"), java.util.Map.of("MODE", "prod"), java.util.Map.of("API_TOKEN",
                Path.of("/etc/sandpool/api-token")), 8080, "127.0.0.1:5000", "puller", Path.of("/etc/sandpool/registry.pass"),
                null, CustomContainerConfig.Lifecycle.OnContainerExit, 900, List.of(
                        new ProbeConfig(ProbeConfig.Type.Startup, new ProbeConfig.HttpGet("/healthz", 8081, "app.local",
                                ProbeConfig.Scheme.HTTPS, List.of(new ProbeConfig.Header("X-Probe", "1"))), null, 2, 3, 4, 5, 1, 30),
                        new ProbeConfig(ProbeConfig.Type.Liveness, null, new ProbeConfig.TcpSocket(null, 8080),
                                null, null, null, null, null, null))));
        assertThat(ConfigLoader.parsePool(ConfigLoader.writePool(pool))).isEqualTo(pool);
    }

    @Test
    void containerDefaultsAreTimedWithoutProbesAndProbesTakeKubernetesDefaults() {
        PoolConfig pool = ConfigLoader.parse("pools:\n  - name: web\n    containerType: CustomContainer\n"
                + "    container: {image: 'oci:/x:v1', targetPort: 80}\n").validated().pools().getFirst();
        assertThat(pool.container().lifecycle()).isEqualTo(CustomContainerConfig.Lifecycle.Timed);
        assertThat(pool.container().maxAlivePeriodInSeconds()).isNull();
        assertThat(pool.container().probes()).isEmpty();
        assertThat(pool.container().secretEnv()).isEmpty();
        ProbeConfig probe = new ProbeConfig(ProbeConfig.Type.Liveness, new ProbeConfig.HttpGet(null, null, null, null, null),
                null, null, null, null, null, null, null);
        assertThat(List.of(probe.initialDelaySeconds(), probe.periodSeconds(), probe.timeoutSeconds(), probe.failureThreshold(),
                probe.successThreshold())).containsExactly(1, 10, 1, 3, 1);
        assertThat(probe.httpGet().path()).isEqualTo("/");
        assertThat(probe.httpGet().scheme()).isEqualTo(ProbeConfig.Scheme.HTTP);
        assertThat(probe.port(8080)).isEqualTo(8080);
        assertThat(ConfigLoader.parse("pools:\n  - name: web\n    containerType: CustomContainer\n"
                + "    container: {image: 'oci:/x:v1', targetPort: 80, lifecycle: OnContainerExit}\n").validated()
                .pools().getFirst().container().maxAlivePeriodInSeconds()).isEqualTo(3600);
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: web\n    containerType: CustomContainer\n"
                + "    container: {image: 'oci:/x:v1', targetPort: 80, maxAlivePeriodInSeconds: 60,"
                + " env: {A: x}, secretEnv: {A: /f}}\n").validated())
                .hasMessageContaining("pools[0].container.maxAlivePeriodInSeconds: is only for the OnContainerExit lifecycle")
                .hasMessageContaining("pools[0].container.secretEnv: 'A' is also set in env");
    }

    @Test
    void authNoneOnlyOnLoopback() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  host: 0.0.0.0\nauth:\n  mode: none\n").validated())
                .hasMessageContaining("auth.mode: 'none' is only allowed when server.host is a loopback address");
        assertThat(ConfigLoader.parse("auth:\n  mode: none\n").validated().auth().mode()).isEqualTo(AuthMode.NONE);
    }

    @Test
    void duplicatePoolNamesAndBadNamesAreErrors() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: same\n  - name: same\n").validated())
                .hasMessageContaining("pools[1].name: 'same' is used by another pool");
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: Bad_Name\n").validated())
                .hasMessageContaining("pools[0].name: must be 3-63 characters");
    }

    @Test
    void customContainersNeedTheirContainerAndPreloadNamesFollowTheLanguage() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: cust\n    containerType: CustomContainer\n").validated())
                .hasMessageContaining("pools[0].container: is required for a CustomContainer pool");
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: cust\n    containerType: CustomContainer\n"
                + "    container: {image: 'oci:/x:v1', targetPort: 0, registryUsername: u}\n").validated())
                .hasMessageContaining("pools[0].container.targetPort: must be between 1 and 65535")
                .hasMessageContaining("pools[0].container.registryUsername: needs exactly one of registryPasswordFile");
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: py1\n    container: {image: x, targetPort: 80}\n").validated())
                .hasMessageContaining("pools[0].container: is only for CustomContainer pools");
        assertThat(ConfigLoader.parse("pools:\n  - name: node\n    containerType: NodeLTS\n    preload: ['@scope/pkg', lodash]\n")
                .validated().pools().getFirst().preload()).containsExactly("@scope/pkg", "lodash");
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: py1\n    preload: ['os; rm -rf']\n").validated())
                .hasMessageContaining("is not a Python module name");
        assertThatThrownBy(() -> ConfigLoader.parse("pools:\n  - name: sh1\n    containerType: Shell\n    preload: [x]\n").validated())
                .hasMessageContaining("Shell pools have no interpreter");
    }
}
