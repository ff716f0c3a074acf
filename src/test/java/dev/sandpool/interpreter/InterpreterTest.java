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
    void tracebacksAndWarningsQuoteTheLinesOfTheCells() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            run(interpreter, "def f():\n    return 1 / 0");
            // nothing has imported linecache yet: warnings does, in the middle of this cell
            ExecutionResult warned = run(interpreter, "import warnings\nwarnings.warn('mind the gap')");
            assertThat(warned.stderr()).contains("<cell 2>:2: UserWarning: mind the gap")
                    .contains("warnings.warn('mind the gap')");
            ExecutionResult failed = run(interpreter, "f()");
            assertThat(failed.stderr()).contains("File \"<cell 3>\", line 1").contains("File \"<cell 1>\", line 2")
                    .contains("return 1 / 0").contains("ZeroDivisionError");
        }
    }

    @Test
    void valuesComeBackAsJsonOrAsTheirRepr() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            assertThat(run(interpreter, "{'a': [1, 2.5, None, True], 'é': '\\u2603'}").result().toString())
                    .isEqualTo("{\"a\":[1,2.5,null,true],\"é\":\"☃\"}");
            assertThat(run(interpreter, "x = []\nx.append(x)\nx").result().asString()).isEqualTo("[[...]]");
            assertThat(run(interpreter, "[float('nan')]").result().asString()).isEqualTo("[nan]");
            assertThat(run(interpreter, "{1: 2}").result().toString()).isEqualTo("{\"1\":2}");
            assertThat(run(interpreter, "{1: object}").result().asString()).isEqualTo("{1: <class 'object'>}");
        }
    }

    @Test
    void sessionsSeeThePackagesAndBuiltinsOfAnOrdinaryPython() throws Exception {
        // the driver starts without site (-S) and does its work itself: what user code sees must not change
        Process host = new ProcessBuilder("/usr/bin/python3", "-I", "-c", "import sys; print(repr(sys.path))").start();
        String hostPath = new String(host.getInputStream().readAllBytes()).strip();
        assertThat(host.waitFor()).isZero();
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            ExecutionResult path = run(interpreter, "import sys\nrepr(sys.path[:-1]), sys.path[-1]");
            assertThat(path.result().toString()).isEqualTo("[" + quoted(hostPath) + ",\"/opt/sandpool/python\"]");
            ExecutionResult builtins = run(interpreter, "[callable(f) for f in (help, exit, quit, copyright, credits, license)]");
            assertThat(builtins.result().toString()).isEqualTo("[true,true,true,true,true,true]");
            ExecutionResult numpy = run(interpreter, "import numpy\nint(numpy.arange(4).sum())");
            assertThat(numpy.result().asInt()).isEqualTo(6);
        }
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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

    @Test
    void aCellThatClosesTheDriversFilesAndReusesTheirNumbersLosesNothing() throws Exception {
        try (Interpreter interpreter = Interpreter.start(sandboxes.runtime, python, LIMITS, Duration.ofSeconds(2))) {
            // close the driver's capture files and /dev/null (not fds 0-2, nor the server's socket),
            // open files of our own that get the same numbers, and write behind the next cell's back
            ExecutionResult setup = run(interpreter, """
                    import os, threading, time
                    def target(fd):
                        try:
                            return os.readlink('/proc/self/fd/%d' % fd)
                        except OSError:
                            return ''
                    mine = sorted(fd for fd in map(int, os.listdir('/proc/self/fd')) if fd > 2
                                  and (target(fd).startswith('/tmp/') or target(fd) == '/dev/null'))
                    for fd in mine:
                        os.close(fd)
                    files = [open('/mnt/data/precious-%d.txt' % i, 'w+') for i in range(len(mine))]
                    for f in files:
                        f.write('precious'); f.flush()
                    threading.Thread(target=lambda: (time.sleep(1), os.write(1, b'late'), os.write(2, b'late'))).start()
                    (len(mine), sorted(f.fileno() for f in files) == mine)
                    """);
            // two capture files and the driver's /dev/null
            assertThat(setup.result().toString()).isEqualTo("[3,true]");
            Thread.sleep(1500);
            ExecutionResult next = run(interpreter, "print('still captured')\n"
                    + "[open('/mnt/data/precious-%d.txt' % i).read() for i in range(3)]");
            assertThat(next.stdout()).isEqualTo("still captured\n");
            assertThat(next.result().toString()).isEqualTo("[\"precious\",\"precious\",\"precious\"]");
        }
    }
}
