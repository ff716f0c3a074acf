package dev.sandpool.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The whole server configuration, as read from YAML; every section is optional. */
public record SandpoolConfig(ServerConfig server, AuthConfig auth, SandboxConfig sandbox, ExecutionConfig execution,
                             FilesConfig files, List<PoolConfig> pools) {

    public SandpoolConfig {
        server = Objects.requireNonNullElse(server, ServerConfig.defaults());
        auth = Objects.requireNonNullElse(auth, AuthConfig.defaults());
        sandbox = Objects.requireNonNullElse(sandbox, SandboxConfig.defaults());
        execution = Objects.requireNonNullElse(execution, ExecutionConfig.defaults());
        files = Objects.requireNonNullElse(files, FilesConfig.defaults());
        pools = List.copyOf(Objects.requireNonNullElse(pools, List.of()));
    }

    /** What {@code sandpool serve} runs without {@code --config}: one PythonLTS pool named default. */
    public static SandpoolConfig defaults() {
        return new SandpoolConfig(null, null, null, null, null, List.of(PoolConfig.named("default")));
    }

    public SandpoolConfig withServer(ServerConfig newServer) {
        return new SandpoolConfig(newServer, auth, sandbox, execution, files, pools);
    }

    public SandpoolConfig withAuth(AuthConfig newAuth) {
        return new SandpoolConfig(server, newAuth, sandbox, execution, files, pools);
    }

    public SandpoolConfig withSandbox(SandboxConfig newSandbox) {
        return new SandpoolConfig(server, auth, newSandbox, execution, files, pools);
    }

    public SandpoolConfig withExecution(ExecutionConfig newExecution) {
        return new SandpoolConfig(server, auth, sandbox, newExecution, files, pools);
    }

    public SandpoolConfig withPools(List<PoolConfig> newPools) {
        return new SandpoolConfig(server, auth, sandbox, execution, files, newPools);
    }

    /** @throws ConfigException listing every invalid key */
    public SandpoolConfig validated() {
        Validation v = new Validation();
        server.validate(v);
        auth.validate(server, v);
        sandbox.validate(v);
        execution.validate(v);
        files.validate(v);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolConfig pool = pools.get(i);
            if (pool == null) {
                v.fail("pools[" + i + "]", "is empty");
                continue;
            }
            pool.validate("pools[" + i + "]", v);
            if (pool.name() != null && !names.add(pool.name())) {
                v.fail("pools[" + i + "].name", "'" + pool.name() + "' is used by another pool");
            }
        }
        v.throwIfFailed();
        return this;
    }
}
