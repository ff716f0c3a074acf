package dev.sandpool.server;

import dev.sandpool.api.FileShapes;
import dev.sandpool.config.ContainerType;
import dev.sandpool.pool.SessionPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET metadata}: the runtime and the packages a session sees. Sessions run the host's /usr
 * read-only, so the host's Python packages (dist-info directories) and runtime versions are
 * exactly what sessions get; they are read once.
 */
final class PoolMetadata {
    private static final Pattern DIST_INFO = Pattern.compile("(.+?)-([0-9][^-]*)\\.(dist|egg)-info");
    private final Instant startedAt = Instant.now();
    private final Map<ContainerType, Map<String, Object>> cache = new ConcurrentHashMap<>();

    Map<String, Object> of(SessionPool pool) {
        return cache.computeIfAbsent(pool.config().containerType(), this::compute);
    }

    private Map<String, Object> compute(ContainerType type) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean node = type == ContainerType.NodeLTS;
        String runtime = node ? "node" : type == ContainerType.Shell ? "bash" : "python";
        String version = node ? firstLine("/usr/bin/node", "--version").replaceFirst("^v", "")
                : type == ContainerType.Shell ? firstLine("/bin/bash", "-c", "echo $BASH_VERSION")
                : firstLine("/usr/bin/python3", "-c", "import platform; print(platform.python_version())");
        body.put("runtimes", List.of(dev.sandpool.api.PoolResource.ordered("name", runtime, "version", version)));
        body.put("preInstalledPackages", node ? List.of() : pythonPackages());
        body.put("createdAt", FileShapes.time(startedAt));
        body.put("lastUpdatedAt", FileShapes.time(startedAt));
        if (type != ContainerType.Shell) {
            Map<String, Object> kernel = dev.sandpool.api.PoolResource.ordered("name", node ? "sandpool-node" : "sandpool-python", "version", version);
            kernel.put("projectUrl", "https://github.com/sandpool/sandpool");
            kernel.put("description", "Sandpool's " + (node ? "Node.js" : "Python") + " session driver");
            body.put("jupyterKernel", kernel);
        }
        return body;
    }

    private static List<Map<String, Object>> pythonPackages() {
        List<Map<String, Object>> packages = new ArrayList<>();
        for (String dir : List.of("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages")) {
            try (var entries = Files.list(Path.of(dir))) {
                for (Path p : entries.sorted().toList()) {
                    Matcher m = DIST_INFO.matcher(p.getFileName().toString());
                    if (m.matches()) {
                        packages.add(dev.sandpool.api.PoolResource.ordered("name", m.group(1).replace('_', '-'), "version", m.group(2)));
                    }
                }
            } catch (IOException e) {
                // no such directory on this host
            }
        }
        return packages;
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
