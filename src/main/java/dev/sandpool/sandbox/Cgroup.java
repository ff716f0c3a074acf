package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One sandbox's control group, across however many hierarchies the host's cgroup version has. */
public interface Cgroup {
    String name();

    void addProcess(long pid) throws IOException;

    /**
     * The files a single-threaded process writes "0" into to move itself into the group, or none
     * where the host has no such way. A thread that moves itself is spared the kernel's global
     * threadgroup lock, whose first taking after a quiet spell waits for an RCU grace period (10 to
     * 30 ms here); cgroup v1's tasks files allow it, cgroup v2 only inside threaded subtrees.
     */
    List<Path> selfJoinFiles();

    /**
     * Idle or not: an idle group's processes run only on CPU time nothing else wants (cpu.idle).
     * A kernel without cpu.idle (before 5.15) leaves every group at normal priority.
     */
    void idle(boolean idle) throws IOException;

    /** Host pids currently in the group. */
    List<Long> processes();

    /** How many times the pids controller refused a fork or a thread because the group was at its limit. */
    long pidsLimitHits();

    /** How many times the kernel's OOM killer fired inside this group. */
    long oomKills();

    /** SIGKILLs everything in the group and waits (briefly) until it is empty. */
    void killAll();

    /** Kills what is left and removes the group from every hierarchy. */
    void remove();
}
