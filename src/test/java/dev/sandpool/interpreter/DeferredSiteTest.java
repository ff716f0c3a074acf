package dev.sandpool.interpreter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.sandbox.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python driver's stand-in for site, on the host's python with site directories of the test's
 * own: path lines of .pth files apply at once, their import lines and sitecustomize only before the
 * first import from outside the standard library.
 */
class DeferredSiteTest {
    private Path dir;

    @BeforeEach
    void makeSiteDirectories() throws Exception {
        dir = Files.createTempDirectory("sandpool-site-");
        Path first = Files.createDirectories(dir.resolve("first"));
        Files.createDirectories(first.resolve("extra"));
        Files.writeString(first.resolve("a.pth"), """
                # a comment
                extra
                missing
                import sys; sys.ran = getattr(sys, 'ran', []) + ['a.pth']
                """);
        Files.writeString(first.resolve("b.pth"), "import sys; sys.ran = getattr(sys, 'ran', []) + ['b.pth']\n");
        Files.writeString(first.resolve("broken.pth"), "import no_such_module_anywhere\n");
        Files.writeString(Files.createDirectories(dir.resolve("custom")).resolve("sitecustomize.py"), "import sys; sys.ran = getattr(sys, 'ran', []) + ['sitecustomize']\n");
        Files.writeString(first.resolve("third_party.py"), "VALUE = 7\n");
        Files.createDirectories(dir.resolve("second"));
    }

    @AfterEach
    void remove() {
        Trees.deleteRecursively(dir);
    }

    @Test
    void pathLinesApplyAtOnceAndImportLinesBeforeTheFirstImportFromOutsideTheStandardLibrary() throws Exception {
        Path drivers = DriverFiles.install(dir.resolve("runtime")).python();
        String script = """
                import sys, site
                sys.path.insert(0, sys.argv[2] + '/custom')  # ahead of any sitecustomize the host has
                sys.path.append(sys.argv[1])
                import sandpool_driver
                site.getsitepackages = lambda: [sys.argv[2] + '/first', sys.argv[2] + '/missing', sys.argv[2] + '/second']
                sandpool_driver.DeferredSite()
                print([p.replace(sys.argv[2], 'D') for p in sys.path[-4:]])
                print(getattr(sys, 'ran', None), callable(help), callable(exit))
                import json, email.parser
                print(getattr(sys, 'ran', None))
                import third_party
                print(sys.ran, third_party.VALUE)
                import another_that_does_not_exist_either
                """;
        Process p = new ProcessBuilder("/usr/bin/python3", "-I", "-S", "-c", script, drivers.toString(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        assertThat(out).containsExactly(
                "['D/first', 'D/first/extra', 'D/second', 'D/runtime/drivers/python']",
                "None True True",
                "None",
                "['a.pth', 'b.pth', 'sitecustomize'] 7");
        // a failing line is reported as site reports it, once, and the rest still ran
        assertThat(err).contains("Error processing line 1 of " + dir.resolve("first/broken.pth"))
                .contains("ModuleNotFoundError: No module named 'another_that_does_not_exist_either'");
        assertThat(err.split("Error processing line", -1)).hasSize(2);
    }
}
