package dev.sandpool.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * cgroup v1: one directory per controller (memory, pids, cpu). Swap is capped to the memory limit
 * through memsw where the kernel accounts swap, and TCP buffers through kmem.tcp, which v1 counts
 * apart from the rest ({@link ResourceLimits#tcpBufferBytes}).
 */
final class CgroupV1Driver implements CgroupDriver {
    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    private final Path root;
    private final String parent;

    CgroupV1Driver(Path root, String parent) {
        this.root = root;
        this.parent = parent;
    }

    private Path dir(String controller, String name) {
        return root.resolve(controller).resolve(parent).resolve(name);
    }

    @Override
    public Cgroup create(String name, ResourceLimits limits) throws IOException {
        for (String controller : CONTROLLERS) {
            Files.createDirectories(dir(controller, name));
        }
        Path memory = dir("memory", name);
        String bytes = Long.toString(limits.memory().bytes());
        CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), bytes);
        CgroupFiles.writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), bytes);
        CgroupFiles.writeIfPresent(memory.resolve("memory.kmem.tcp.limit_in_bytes"), Long.toString(limits.tcpBufferBytes()));
        CgroupFiles.write(dir("pids", name).resolve("pids.max"), Integer.toString(limits.pids()));
        Path cpu = dir("cpu", name);
        CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(ResourceLimits.CPU_PERIOD_US));
        CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
        return open(name);
    }

    @Override
    public Cgroup open(String name) {
        return new Cgroup() {
            private final CgroupCounter pidsEvents = new CgroupCounter(dir("pids", name).resolve("pids.events"), "max");

            @Override
            public String name() {
                return name;
            }

            @Override
            public void addProcess(long pid) throws IOException {
                for (String controller : CONTROLLERS) {
                    CgroupFiles.write(dir(controller, name).resolve("cgroup.procs"), Long.toString(pid));
                }
            }

            @Override
            public List<Path> selfJoinFiles() {
                return CONTROLLERS.stream().map(controller -> dir(controller, name).resolve("tasks")).toList();
            }

            @Override
            public void idle(boolean idle) throws IOException {
                CgroupFiles.writeIfPresent(dir("cpu", name).resolve("cpu.idle"), idle ? "1" : "0");
            }

            @Override
            public List<Long> processes() {
                return CgroupFiles.pids(dir("pids", name).resolve("cgroup.procs"));
            }

            @Override
            public long pidsLimitHits() {
                return pidsEvents.read();
            }

            @Override
            public long oomKills() {
                return CgroupFiles.keyed(dir("memory", name).resolve("memory.oom_control"), "oom_kill");
            }

            @Override
            public void killAll() {
                for (String controller : CONTROLLERS) {
                    CgroupFiles.killAll(dir(controller, name).resolve("cgroup.procs"));
                }
            }

            @Override
            public void remove() {
                pidsEvents.close();
                killAll();
                for (String controller : CONTROLLERS) {
                    CgroupFiles.removeDir(dir(controller, name));
                }
            }
        };
    }

    @Override
    public void removeParent() {
        for (String controller : CONTROLLERS) {
            CgroupFiles.removeDir(root.resolve(controller).resolve(parent));
        }
    }

    @Override
    public List<String> existing() {
        return CONTROLLERS.stream()
                .flatMap(c -> CgroupFiles.childGroups(root.resolve(c).resolve(parent)).stream())
                .distinct().sorted().toList();
    }
}
