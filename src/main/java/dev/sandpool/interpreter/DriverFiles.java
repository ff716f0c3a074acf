package dev.sandpool.interpreter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Puts the in-sandbox drivers, shipped as resources in the jar, where sandboxes can read them. */
public final class DriverFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriverFiles.class);
    static final String PYTHON_DIR_INSIDE = "/opt/sandpool/python";
    /** Runs the driver as an imported module, so that its precompiled bytecode is used. */
    static final String PYTHON_BOOTSTRAP = "import sys; sys.path.append('" + PYTHON_DIR_INSIDE
            + "'); import sandpool_driver; sandpool_driver.main()";
    static final String NODE_DIR_INSIDE = "/opt/sandpool/node";
    private static final List<String> PYTHON = List.of("sandpool_driver.py", "sandpool_mpl.py");
    private static final List<String> NODE = List.of("sandpool_driver.js");

    /** Where the drivers were put on the host. */
    public record Installed(Path python, Path node) {}

    private DriverFiles() {}

    /** Writes the drivers below {@code runtimeDir}. */
    public static Installed install(Path runtimeDir) throws IOException {
        Path python = copy(runtimeDir, "python", PYTHON);
        precompile(python.resolve("sandpool_driver.py"), PYTHON_DIR_INSIDE + "/sandpool_driver.py");
        return new Installed(python, copy(runtimeDir, "node", NODE));
    }

    /**
     * Compiles the Python driver once, here, instead of in every session's start (about 4 ms each):
     * sessions run the same /usr/bin/python3, which takes the bytecode from __pycache__ while its
     * source is unchanged. Tracebacks name the file as sessions see it. Without a host python the
     * driver is compiled in each session as before.
     */
    private static void precompile(Path source, String pathInside) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-I", "-c",
                    "import py_compile, sys; py_compile.compile(sys.argv[1], dfile=sys.argv[2], doraise=True)",
                    source.toString(), pathInside).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) {
                LOG.warn("could not precompile the Python driver: {}", output);
            }
        } catch (IOException e) {
            LOG.debug("no host python to precompile the Python driver: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path copy(Path runtimeDir, String language, List<String> names) throws IOException {
        Path dir = runtimeDir.resolve("drivers").resolve(language);
        Files.createDirectories(dir);
        for (Path d : List.of(runtimeDir.resolve("drivers"), dir)) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String name : names) {
            try (InputStream in = DriverFiles.class.getResourceAsStream(language + "/" + name)) {
                if (in == null) {
                    throw new IOException("driver resource missing from the jar: " + language + "/" + name);
                }
                Path target = dir.resolve(name);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return dir;
    }
}
