package dev.sandpool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.TestingServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code sandpool session ...} against a real server with real sandboxes: a Python pool and a Shell pool. */
class SessionCommandsTest {
    private static TestingServer server;
    private static CliRunner cli;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("clipool", 16, 1, 300),
                new PoolConfig("clishell", ContainerType.Shell, 2, 1, 300, null, 1.0, DataSize.parse("256Mi"), List.of()));
        cli = new CliRunner(server.server.baseUrl(), server.server.apiKey().orElseThrow().key());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void execPrintsTheV1ResponseAsJson() {
        var result = cli.run("session", "exec", "--pool", "clipool", "--identifier", "exec-json", "--code", "print('hello')\n6 * 7");
        assertThat(result.exit()).as(result.toString()).isZero();
        JsonNode p = result.json().path("properties");
        assertThat(p.path("status").asString()).isEqualTo("Success");
        assertThat(p.path("stdout").asString()).isEqualTo("hello\n");
        assertThat(p.path("result").asInt()).isEqualTo(42);
    }

    @Test
    void execAsATableShowsStatusResultAndStreams() {
        var result = cli.run("session", "exec", "--pool", "clipool", "-i", "exec-table", "--code", "print('hello')\n6 * 7",
                "--output", "table");
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("(?m)^status +Success$").containsPattern("(?m)^result +42$")
                .contains("--- stdout ---\nhello\n").doesNotContain("--- stderr ---");
    }

    @Test
    void aFailingExecutionExitsNonZeroWithTheTraceback() {
        var result = cli.run("session", "exec", "--pool", "clipool", "-i", "exec-fail", "--code", "1 / 0");
        assertThat(result.exit()).as(result.toString()).isEqualTo(SessionCommands.CODE_FAILED);
        assertThat(result.json().path("properties").path("status").asString()).isEqualTo("Failure");
        assertThat(result.json().path("properties").path("stderr").asString()).contains("ZeroDivisionError");
    }

    @Test
    void codeComesFromAFileOrStdinAndStateIsKeptPerIdentifier() throws Exception {
        Path script = dir.resolve("script.py");
        Files.writeString(script, "x = 20\n");
        assertThat(cli.run("session", "exec", "--pool", "clipool", "-i", "exec-state", "--file", script.toString()).exit()).isZero();
        InputStream originalIn = System.in;
        System.setIn(new ByteArrayInputStream("x + 1\n".getBytes(StandardCharsets.UTF_8)));
        try {
            var result = cli.run("session", "exec", "--pool", "clipool", "-i", "exec-state", "--file", "-");
            assertThat(result.exit()).as(result.toString()).isZero();
            assertThat(result.json().path("properties").path("result").asInt()).isEqualTo(21);
        } finally {
            System.setIn(originalIn);
        }
        var neither = cli.run("session", "exec", "--pool", "clipool", "-i", "exec-state");
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).startsWith("error: InvalidArgument: give the code with exactly one of --code");
    }

    @Test
    void shellPoolsAreFoundByTheirTypeAndRunBashOnV2() {
        var result = cli.run("session", "exec", "--pool", "clishell", "-i", "shell-user", "--code", "echo hi from \"$(basename $0)\"; exit 4");
        assertThat(result.exit()).as(result.toString()).isEqualTo(SessionCommands.CODE_FAILED);
        assertThat(result.json().path("status").asString()).isEqualTo("4");
        assertThat(result.json().path("result").path("stdout").asString()).isEqualTo("hi from bash\n");
        var ok = cli.run("session", "exec", "--pool", "clishell", "-i", "shell-user", "--shell", "--code", "echo ok", "-o", "table");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).containsPattern("(?m)^status +0 \\(exit code\\)$").contains("--- stdout ---\nok\n");
    }

    @Test
    void uploadListDownloadAndDeleteAFileByteForByte() throws Exception {
        byte[] content = new byte[300_000];
        new Random(7).nextBytes(content);
        for (int i = 0; i < 256; i++) {
            content[i] = (byte) i;
        }
        Path local = dir.resolve("local.bin");
        Files.write(local, content);
        // Spaces, non-ASCII, '#' and '+' must survive the multipart filename and the URL path. ('%' is
        // left out: the server decodes file paths in URLs twice, so 'a%2Bb' would reach 'a+b'.)
        String remote = "sub dir/ü file#1+.bin";

        var uploaded = cli.run("session", "upload", "--pool", "clipool", "-i", "files-user", "--file", local.toString(),
                "--path", remote);
        assertThat(uploaded.exit()).as(uploaded.toString()).isZero();
        JsonNode stored = uploaded.json().path("value").path(0).path("properties");
        assertThat(stored.path("filename").asString()).isEqualTo(remote);
        assertThat(stored.path("size").asLong()).isEqualTo(content.length);

        var listed = cli.run("session", "list-files", "--pool", "clipool", "-i", "files-user", "-o", "table");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out().lines().findFirst().orElseThrow()).startsWith("NAME").contains("SIZE", "MODIFIED");
        assertThat(listed.out()).containsPattern("(?m)^sub dir/ü file#1\\+\\.bin +300000 +\\d{4}-");

        Path downloaded = dir.resolve("downloaded.bin");
        var toFile = cli.run("session", "download", "--pool", "clipool", "-i", "files-user", "--filename", "/mnt/data/" + remote,
                "--output-file", downloaded.toString());
        assertThat(toFile.exit()).as(toFile.toString()).isZero();
        assertThat(Files.readAllBytes(downloaded)).isEqualTo(content);
        assertThat(toFile.json().path("size").asLong()).isEqualTo(content.length);
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("local.bin", "downloaded.bin");

        PrintStream originalOut = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true));
        try {
            var toStdout = cli.run("session", "download", "--pool", "clipool", "-i", "files-user", "--filename", remote);
            assertThat(toStdout.exit()).as(toStdout.toString()).isZero();
        } finally {
            System.setOut(originalOut);
        }
        assertThat(stdout.toByteArray()).isEqualTo(content);

        var deleted = cli.run("session", "delete-file", "--pool", "clipool", "-i", "files-user", "--filename", remote);
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(cli.run("session", "list-files", "--pool", "clipool", "-i", "files-user").json().path("value")).isEmpty();
        var missing = cli.run("session", "download", "--pool", "clipool", "-i", "files-user", "--filename", remote,
                "--output-file", dir.resolve("never.bin").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: FileNotFound: ").contains("(HTTP 404)");
        assertThat(dir.resolve("never.bin")).doesNotExist();
    }

    @Test
    void stopEndsTheSessionAndASecondStopIsNotFound() {
        assertThat(cli.run("session", "exec", "--pool", "clipool", "-i", "stop-me", "--code", "secret = 1").exit()).isZero();
        var stopped = cli.run("session", "stop", "--pool", "clipool", "--identifier", "stop-me");
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(stopped.json().path("message").asString()).isEqualTo("Session stop-me in session pool clipool stopped.");
        // The identifier's next call gets a fresh session: the variable is gone.
        var fresh = cli.run("session", "exec", "--pool", "clipool", "-i", "stop-me", "--code", "'secret' in globals()");
        assertThat(fresh.json().path("properties").path("result").asBoolean()).isFalse();
        assertThat(cli.run("session", "stop", "--pool", "clipool", "-i", "stop-me").exit()).isZero();
        var again = cli.run("session", "stop", "--pool", "clipool", "-i", "stop-me");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("error: SessionNotFound: ");
    }

    @Test
    void identifiersAreEncodedInTheQuery() {
        var result = cli.run("session", "exec", "--pool", "clipool", "-i", "user@example.com+1", "--code", "1");
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(cli.run("session", "stop", "--pool", "clipool", "-i", "user@example.com+1").exit()).isZero();
    }

    @Test
    void anUnknownPoolIsReportedByTheDataPlane() {
        var result = cli.run("session", "exec", "--pool", "no-such-pool", "-i", "someone", "--code", "1");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: SessionPoolNotFound: ");
    }
}
