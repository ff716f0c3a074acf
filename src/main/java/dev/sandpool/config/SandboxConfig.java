package dev.sandpool.config;

import java.util.Objects;

/**
 * Host-side settings of the local bubblewrap runtime. Each live session gets its own host uid from
 * {@code [uidBase, uidBase + uidCount)}; cgroups live under {@code cgroupParent} in every controller.
 * Two servers on one host must use disjoint uid ranges and cgroup parents: start-up clean-up treats
 * everything in them as its own.
 */
public record SandboxConfig(Integer uidBase, Integer uidCount, String cgroupParent, DataSize tmpSize, Integer pidsLimit) {
    public static final int DEFAULT_UID_BASE = 200_000;
    public static final int DEFAULT_UID_COUNT = 10_000;
    public static final String DEFAULT_CGROUP_PARENT = "sandpool";
    public static final DataSize DEFAULT_TMP_SIZE = DataSize.parse("64Mi");
    public static final int DEFAULT_PIDS_LIMIT = 256;

    public SandboxConfig {
        uidBase = Objects.requireNonNullElse(uidBase, DEFAULT_UID_BASE);
        uidCount = Objects.requireNonNullElse(uidCount, DEFAULT_UID_COUNT);
        cgroupParent = Objects.requireNonNullElse(cgroupParent, DEFAULT_CGROUP_PARENT);
        tmpSize = Objects.requireNonNullElse(tmpSize, DEFAULT_TMP_SIZE);
        pidsLimit = Objects.requireNonNullElse(pidsLimit, DEFAULT_PIDS_LIMIT);
    }

    public static SandboxConfig defaults() {
        return new SandboxConfig(null, null, null, null, null);
    }

    void validate(Validation v) {
        if (uidBase < 1000) {
            v.fail("sandbox.uidBase", "must be at least 1000 so that no system account is reused (got " + uidBase + ")");
        }
        if (uidCount < 1 || (long) uidBase + uidCount > Integer.MAX_VALUE) {
            v.fail("sandbox.uidCount", "must be at least 1 and keep uids below 2^31 (got " + uidCount + ")");
        }
        if (!cgroupParent.matches("[A-Za-z0-9_.-]+") || cgroupParent.startsWith(".")) {
            v.fail("sandbox.cgroupParent", "must be one path segment of letters, digits, '_', '.', '-' (got '" + cgroupParent + "')");
        }
        if (pidsLimit < 16) {
            v.fail("sandbox.pidsLimit", "must be at least 16 (got " + pidsLimit + ")");
        }
    }
}
