package dev.sandpool.interpreter;

import dev.sandpool.sandbox.ResourceLimits;
import dev.sandpool.sandbox.Sandbox;
import dev.sandpool.sandbox.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a built-in interpreter is started inside a sandbox. */
public interface InterpreterLauncher {
    SandboxSpec spec(ResourceLimits limits);

    /** The Node.js driver; global modules from Debian's and npm's usual places are requirable. */
    static InterpreterLauncher node(Path driverDir, List<String> preload) {
        return limits -> {
            List<String> command = new ArrayList<>(List.of("/usr/bin/node",
                    DriverFiles.NODE_DIR_INSIDE + "/sandpool_driver.js", Sandbox.RUN_DIR_INSIDE + "/driver.sock"));
            command.addAll(preload);
            return new SandboxSpec(command,
                    Map.of("NODE_PATH", "/usr/local/lib/node_modules:/usr/lib/node_modules:/usr/share/nodejs"),
                    limits, Map.of(DriverFiles.NODE_DIR_INSIDE, driverDir));
        };
    }

    /** The Python driver, with {@code preload} imported before the session reports ready. */
    static InterpreterLauncher python(Path driverDir, List<String> preload) {
        return limits -> {
            List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-I", "-S", "-B", "-c",
                    DriverFiles.PYTHON_BOOTSTRAP, Sandbox.RUN_DIR_INSIDE + "/driver.sock"));
            command.addAll(preload);
            return new SandboxSpec(command,
                    Map.of("MPLBACKEND", "module://sandpool_mpl", "MPLCONFIGDIR", "/tmp/.matplotlib"),
                    limits, Map.of(DriverFiles.PYTHON_DIR_INSIDE, driverDir));
        };
    }
}
