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
    private static final List<String> PYTHON = List.of("sandpool_driver.py", "sandpool_mpl.py");

    private DriverFiles() {}

    /** Writes the drivers below {@code runtimeDir} and returns the Python driver's directory. */
    public static Path install(Path runtimeDir) throws IOException {
        Path python = runtimeDir.resolve("drivers").resolve("python");
        Files.createDirectories(python);
        for (Path dir : List.of(runtimeDir.resolve("drivers"), python)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String name : PYTHON) {
            try (InputStream in = DriverFiles.class.getResourceAsStream("python/" + name)) {
                if (in == null) {
                    throw new IOException("driver resource missing from the jar: " + name);
                }
                Path target = python.resolve(name);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return python;
    }
}
