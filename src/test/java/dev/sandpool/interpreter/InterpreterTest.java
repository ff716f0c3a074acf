package dev.sandpool.interpreter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import dev.sandpool.sandbox.ResourceLimits;
import dev.sandpool.testing.TestingRuntime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Python driver in a real sandbox, without HTTP: state, values, errors, timeouts. */
class InterpreterTest {
    private static TestingRuntime sandboxes;
    private static InterpreterLauncher python;
    private static final ResourceLimits LIMITS = new ResourceLimits(DataSize.parse("256Mi"), 1.0, 128);

    @BeforeAll
    static void start() throws Exception {
        sandboxes = new TestingRuntime();
        python = InterpreterLauncher.python(DriverFiles.install(sandboxes.dataDir.resolve("runtime")).python(), List.of());
    }

    @AfterAll
    static void stop() {
        sandboxes.close();
    }

    private static ExecutionResult run(Interpreter interpreter, String code) {
        return interpreter.execute(new ExecutionRequest(code, Duration.ofSeconds(20), 1 << 20));
    }

    @Test
    void keepsStateAndReturnsTheLastExpression() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            ExecutionResult first = run(interpreter, "x = 41\nprint('hello')\nx + 1");
            assertThat(first.success()).isTrue();
            assertThat(first.stdout()).isEqualTo("hello\n");
            assertThat(first.result().asInt()).isEqualTo(42);
            assertThat(run(interpreter, "x").result().asInt()).isEqualTo(41);
        }
    }

    @Test
    void runsAsAnUnprivilegedUserInMntData() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            ExecutionResult r = run(interpreter, "import os\n(os.getuid(), os.getcwd())");
            assertThat(r.result().toString()).isEqualTo("[1000,\"/mnt/data\"]");
        }
    }

    @Test
    void outputOfChildProcessesIsCapturedThroughFilesTheSessionCannotSee() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            // the first cell is cell 1: the driver's warm-up before it was ready left no trace
            ExecutionResult failing = run(interpreter, "1/0");
            assertThat(failing.stderr()).contains("<cell 1>").contains("ZeroDivisionError")
                    .doesNotContain("sandpool_driver").doesNotContain(sandboxes.dataDir.toString());
            ExecutionResult r = run(interpreter, "import os, subprocess\nprint('from python')\n"
                    + "subprocess.run(['echo', 'from a child'])\nsorted(os.listdir('/tmp'))");
            assertThat(r.stdout()).isEqualTo("from python\nfrom a child\n");
            assertThat(r.result().toString()).isEqualTo("[]");
            // a cell's output does not leak into the next one
            assertThat(run(interpreter, "2").stdout()).isEmpty();
        }
    }

    @Test
    void thePythonDriverIsCompiledOnceOnTheHostUnderTheNameSessionsSee() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sandpool-drivers-");
        try {
            java.nio.file.Path python = DriverFiles.install(dir).python();
            java.nio.file.Path cache = python.resolve("__pycache__");
            try (var files = java.nio.file.Files.list(cache)) {
                java.nio.file.Path compiled = files.filter(f -> f.getFileName().toString().startsWith("sandpool_driver."))
                        .findFirst().orElseThrow();
                // the bytecode records the path inside the sandbox, never the host's
                String bytes = new String(java.nio.file.Files.readAllBytes(compiled), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes).contains("/opt/sandpool/python/sandpool_driver.py").doesNotContain(dir.toString());
            }
        } finally {
            dev.sandpool.sandbox.Trees.deleteRecursively(dir);
        }
    }
}
