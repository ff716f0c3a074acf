package dev.sandpool.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One session pool, in Azure's vocabulary. Missing keys take Azure's defaults (az CLI: max 10,
 * ready 5, cooldown 300 s, egress disabled).
 */
public record PoolConfig(
        String name,
        ContainerType containerType,
        Integer maxConcurrentSessions,
        Integer readySessionInstances,
        Integer cooldownPeriodInSeconds,
        NetworkStatus networkStatus,
        Double cpu,
        DataSize memory,
        List<String> preload,
        CustomContainerConfig container,
        List<String> egressAllowList,
        Isolation isolation) {

    public static final int DEFAULT_MAX_SESSIONS = 10;
    public static final int DEFAULT_READY_SESSIONS = 5;
    public static final int DEFAULT_COOLDOWN_SECONDS = 300;
    public static final double DEFAULT_CPU = 1.0;
    public static final DataSize DEFAULT_MEMORY = DataSize.parse("1Gi");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,61}[a-z0-9]");
    private static final Pattern PYTHON_MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final Pattern NODE_MODULE = Pattern.compile("(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*(/[A-Za-z0-9._-]+)*");

    public PoolConfig {
        containerType = Objects.requireNonNullElse(containerType, ContainerType.PythonLTS);
        maxConcurrentSessions = Objects.requireNonNullElse(maxConcurrentSessions, DEFAULT_MAX_SESSIONS);
        readySessionInstances = Objects.requireNonNullElse(readySessionInstances,
                Math.min(DEFAULT_READY_SESSIONS, maxConcurrentSessions));
        cooldownPeriodInSeconds = Objects.requireNonNullElse(cooldownPeriodInSeconds, DEFAULT_COOLDOWN_SECONDS);
        networkStatus = Objects.requireNonNullElse(networkStatus, NetworkStatus.EgressDisabled);
        cpu = Objects.requireNonNullElse(cpu, DEFAULT_CPU);
        memory = Objects.requireNonNullElse(memory, DEFAULT_MEMORY);
        preload = List.copyOf(Objects.requireNonNullElse(preload, List.of()));
        egressAllowList = List.copyOf(Objects.requireNonNullElse(egressAllowList, List.of()));
        isolation = Objects.requireNonNullElse(isolation, Isolation.NAMESPACES);
    }

    public PoolConfig(String name, ContainerType containerType, Integer maxConcurrentSessions,
                      Integer readySessionInstances, Integer cooldownPeriodInSeconds, NetworkStatus networkStatus,
                      Double cpu, DataSize memory, List<String> preload, CustomContainerConfig container,
                      List<String> egressAllowList) {
        this(name, containerType, maxConcurrentSessions, readySessionInstances, cooldownPeriodInSeconds, networkStatus,
                cpu, memory, preload, container, egressAllowList, null);
    }

    public PoolConfig(String name, ContainerType containerType, Integer maxConcurrentSessions,
                      Integer readySessionInstances, Integer cooldownPeriodInSeconds, NetworkStatus networkStatus,
                      Double cpu, DataSize memory, List<String> preload, CustomContainerConfig container) {
        this(name, containerType, maxConcurrentSessions, readySessionInstances, cooldownPeriodInSeconds, networkStatus,
                cpu, memory, preload, container, null);
    }

    public PoolConfig(String name, ContainerType containerType, Integer maxConcurrentSessions,
                      Integer readySessionInstances, Integer cooldownPeriodInSeconds, NetworkStatus networkStatus,
                      Double cpu, DataSize memory, List<String> preload) {
        this(name, containerType, maxConcurrentSessions, readySessionInstances, cooldownPeriodInSeconds, networkStatus,
                cpu, memory, preload, null);
    }

    public static PoolConfig named(String name) {
        return new PoolConfig(name, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The same pool with what PoolResource cannot carry yet (the container) kept from {@code base}. */
    public PoolConfig withContainer(CustomContainerConfig newContainer) {
        return new PoolConfig(name, containerType, maxConcurrentSessions, readySessionInstances, cooldownPeriodInSeconds,
                networkStatus, cpu, memory, preload, newContainer, egressAllowList, isolation);
    }

    /** Every problem with this pool, each as "key: message" with the key relative to the pool. */
    public java.util.List<String> problems() {
        Validation v = new Validation();
        validate("", v);
        return v.problems().stream().map(p -> p.startsWith(".") ? p.substring(1) : p).toList();
    }

    /** Checks every field; messages name the key (prefixed with {@code where}) and the allowed range. */
    void validate(String where, Validation v) {
        if (name == null || !NAME.matcher(name).matches()) {
            v.fail(where + ".name", "must be 3-63 characters of lowercase letters, digits and '-', "
                    + "starting with a letter (got " + (name == null ? "nothing" : "'" + name + "'") + ")");
        }
        if (containerType == ContainerType.CustomContainer) {
            if (container == null) {
                v.fail(where + ".container", "is required for a CustomContainer pool (image and targetPort at least)");
            } else {
                container.validate(where + ".container", v);
            }
        } else if (container != null) {
            v.fail(where + ".container", "is only for CustomContainer pools");
        }
        if (isolation == Isolation.GVISOR && containerType == ContainerType.CustomContainer) {
            v.fail(where + ".isolation", "gvisor is for PythonLTS, NodeLTS and Shell pools; "
                    + "CustomContainer pools run with namespaces isolation");
        }
        if (maxConcurrentSessions < 1 || maxConcurrentSessions > 10_000) {
            v.fail(where + ".maxConcurrentSessions", "must be between 1 and 10000 (got " + maxConcurrentSessions + ")");
        }
        if (readySessionInstances < 0 || readySessionInstances > maxConcurrentSessions) {
            v.fail(where + ".readySessionInstances", "must be between 0 and maxConcurrentSessions ("
                    + maxConcurrentSessions + ") (got " + readySessionInstances + ")");
        }
        if (cooldownPeriodInSeconds < 1 || cooldownPeriodInSeconds > 86_400) {
            v.fail(where + ".cooldownPeriodInSeconds", "must be between 1 and 86400 (got " + cooldownPeriodInSeconds + ")");
        }
        if (!egressAllowList.isEmpty() && networkStatus != NetworkStatus.EgressEnabled) {
            v.fail(where + ".egressAllowList", "only applies when networkStatus is EgressEnabled");
        }
        for (String entry : egressAllowList) {
            if (!Cidr.isValid(entry) && !DomainPattern.isValid(entry)) {
                v.fail(where + ".egressAllowList", "'" + entry + "' is not an IPv4 or IPv6 address or CIDR, "
                        + "a domain name, or *. and a domain name");
            }
        }
        if (!(cpu >= 0.05 && cpu <= 64)) {
            v.fail(where + ".cpu", "must be between 0.05 and 64 cores (got " + cpu + ")");
        }
        if (memory.bytes() < DataSize.parse("32Mi").bytes()) {
            v.fail(where + ".memory", "must be at least 32Mi (got " + memory + ")");
        }
        for (String module : preload) {
            if (containerType == ContainerType.Shell) {
                v.fail(where + ".preload", "Shell pools have no interpreter to preload modules into");
                break;
            }
            boolean node = containerType == ContainerType.NodeLTS;
            if (!(node ? NODE_MODULE : PYTHON_MODULE).matcher(module).matches()) {
                v.fail(where + ".preload", "'" + module + "' is not a " + (node ? "Node.js" : "Python") + " module name");
            }
        }
    }
}
