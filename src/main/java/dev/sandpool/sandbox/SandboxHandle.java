package dev.sandpool.sandbox;

/**
 * What identifies a running sandbox across server restarts: its directory/cgroup name, its host uid,
 * and its pid-namespace init with that process's start time (so a recycled pid is not mistaken
 * for it).
 */
public record SandboxHandle(String id, int uid, long initPid, long initStartTicks) {}
