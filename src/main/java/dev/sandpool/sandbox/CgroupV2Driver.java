package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * cgroup v2: one unified directory per sandbox. Controllers are delegated from the root down to the
 * parent group; {@code cgroup.kill} ends a whole group in one write where the kernel has it.
 */
final class CgroupV2Driver implements CgroupDriver {
    private static final String CONTROLLERS = "+memory +pids +cpu";
    private final Path root;
    private final Path parentDir;

    CgroupV2Driver(Path root, String parent) {
        this.root = root;
        this.parentDir = root.resolve(parent);
    }

    @Override
    public Cgroup create(String name, ResourceLimits limits) throws IOException {
        if (!Files.isDirectory(parentDir)) {
            Files.createDirectories(parentDir);
        }
        CgroupFiles.write(root.resolve("cgroup.subtree_control"), CONTROLLERS);
        CgroupFiles.write(parentDir.resolve("cgroup.subtree_control"), CONTROLLERS);
        Path dir = parentDir.resolve(name);
        Files.createDirectories(dir);
        CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memory().bytes()));
        CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
        CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
        CgroupFiles.write(dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + ResourceLimits.CPU_PERIOD_US);
        return open(name);
    }

    @Override
    public Cgroup open(String name) {
        Path dir = parentDir.resolve(name);
        return new Cgroup() {
            private final CgroupCounter pidsEvents = new CgroupCounter(dir.resolve("pids.events"), "max");

            @Override
            public String name() {
                return name;
            }

            @Override
            public void addProcess(long pid) throws IOException {
                CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
            }

            @Override
            public List<Path> selfJoinFiles() {
                return List.of();
            }

            @Override
            public void idle(boolean idle) throws IOException {
                CgroupFiles.writeIfPresent(dir.resolve("cpu.idle"), idle ? "1" : "0");
            }

            @Override
            public List<Long> processes() {
                return CgroupFiles.pids(dir.resolve("cgroup.procs"));
            }

            @Override
            public long pidsLimitHits() {
                return pidsEvents.read();
            }

            @Override
            public long oomKills() {
                return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill");
            }

            @Override
            public void killAll() {
                Path kill = dir.resolve("cgroup.kill");
                if (Files.exists(kill)) {
                    try {
                        CgroupFiles.write(kill, "1");
                    } catch (IOException e) {
                        // fall through to killing pid by pid
                    }
                }
                CgroupFiles.killAll(dir.resolve("cgroup.procs"));
            }

            @Override
            public void remove() {
                pidsEvents.close();
                killAll();
                CgroupFiles.removeDir(dir);
            }
        };
    }

    @Override
    public void removeParent() {
        CgroupFiles.removeDir(parentDir);
    }

    @Override
    public List<String> existing() {
        return CgroupFiles.childGroups(parentDir);
    }
}
