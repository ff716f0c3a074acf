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
    static final String PYTHON_DIR_INSIDE = "/opt/sandpool/python";
    static final String NODE_DIR_INSIDE = "/opt/sandpool/node";
    private static final List<String> PYTHON = List.of("sandpool_driver.py", "sandpool_mpl.py");
    private static final List<String> NODE = List.of("sandpool_driver.js");

    /** Where the drivers were put on the host. */
    public record Installed(Path python, Path node) {}

    private DriverFiles() {}

    /** Writes the drivers below {@code runtimeDir}. */
    public static Installed install(Path runtimeDir) throws IOException {
        return new Installed(copy(runtimeDir, "python", PYTHON), copy(runtimeDir, "node", NODE));
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
