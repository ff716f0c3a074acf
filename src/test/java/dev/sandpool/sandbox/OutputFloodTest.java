package dev.sandpool.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.testing.AzureClient;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Output as hostile code makes it: floods of stdout and stderr from the interpreter, from child
 * processes and from a shell, and bytes that are not UTF-8 or are terminal control sequences. The
 * answer is always well-formed UTF-8 JSON with each stream capped (1Mi by default).
 */
class OutputFloodTest {
    private static final int CAP = 1 << 20;
    @RegisterExtension
    static final HostileServer hostile = new HostileServer();

    /** Runs {@code code} and returns the V1 properties, after checking the body is strict UTF-8 JSON. */
    private static JsonNode runRaw(String pool, String identifier, String code) throws CharacterCodingException {
        var response = hostile.client.executeRaw(pool, identifier, code, 120);
        assertThat(response.statusCode()).isEqualTo(200);
        String body = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(response.body())).toString();
        assertThat(body.length()).isLessThan(8 * CAP);
        return AzureClient.JSON.readTree(body).path("properties");
    }

    private static void assertCapped(JsonNode properties, String name) {
        String stream = properties.path(name).asString();
        assertThat(stream.length()).as(name + " of " + properties.toString().substring(0, Math.min(2000,
                properties.toString().length()))).isBetween(CAP / 2, CAP + 200);
        assertThat(stream).endsWith("[output truncated: more than " + CAP + " bytes]\n");
    }

    @Test
    void a100MegabyteFloodFromTheInterpreterIsCapped() throws Exception {
        JsonNode p = runRaw(HostileServer.PYTHON, "flood-01", """
                import sys
                line = 'x' * 1023 + '\\n'
                for _ in range(100 * 1024):
                    print(line, end='')
                    sys.stderr.write(line)
                'done'""");
        assertThat(p.path("result").asString()).isEqualTo("done");
        assertCapped(p, "stdout");
        assertCapped(p, "stderr");
        hostile.assertContained("flood-01");
    }

    /** Written to fds 1 and 2 directly and by a child: past the driver's capped writers, into its capture files. */
    @Test
    void a100MegabyteFloodFromFileDescriptorsAndChildrenIsCapped() throws Exception {
        JsonNode p = runRaw(HostileServer.PYTHON, "flood-02", """
                import os, subprocess
                chunk = b'y' * (1 << 20)
                for _ in range(50):
                    try:
                        os.write(1, chunk)
                        os.write(2, chunk)
                    except OSError:
                        break
                child = subprocess.run('head -c 100M /dev/zero | tr "\\\\0" z; head -c 100M /dev/zero | tr "\\\\0" e >&2',
                                       shell=True).returncode
                child""");
        assertThat(p.path("status").asString()).as(p.path("stderr").asString()).isEqualTo("Success");
        assertCapped(p, "stdout");
        assertCapped(p, "stderr");
        // the capture files are gone: the next cell has all of /tmp again
        JsonNode next = hostile.run("flood-02", "import shutil\nshutil.disk_usage('/tmp').used < (1 << 20)");
        assertThat(next.path("result").asBoolean()).as(next.toString()).isTrue();
        hostile.assertContained("flood-02");
    }

    @Test
    void aShellCommandFlooding100MegabytesIsCapped() throws Exception {
        JsonNode p = runRaw(HostileServer.SHELL, "flood-03",
                "head -c 100M /dev/zero | tr '\\0' s; head -c 100M /dev/zero | tr '\\0' t >&2; echo done >&2");
        assertCapped(p, "stdout");
        assertCapped(p, "stderr");
        hostile.assertOthersAnswer();
        hostile.assertShellWorksOrReplaced("flood-03");
    }

    @Test
    void invalidUtf8AndControlBytesComeBackAsValidJson() throws Exception {
        JsonNode p = runRaw(HostileServer.PYTHON, "bytes-01", """
                import os, sys
                os.write(1, b'A\\xff\\xfe\\xc3(\\x00\\x1b[2J\\x1b]0;pwned\\x07\\r\\x08Z\\n')
                print('surrogate \\udcff nul \\x00 esc \\x1b[31m bell \\x07')
                os.write(2, b'\\xed\\xa0\\x80\\xf8\\x88\\x80\\x80\\x80 \\x00\\x1b')
                b'\\xff\\x00\\x1b'.decode('utf-8', 'surrogateescape') + '\\x00\\u2028\\x1b[0m'""");
        assertThat(p.path("status").asString()).as(p.toString()).isEqualTo("Success");
        assertThat(p.path("stdout").asString()).startsWith("A").contains("\u0000\u001b[2J").contains("Z\n").contains("bell \u0007");
        assertThat(p.path("stderr").asString()).contains("\u0000\u001b");
        assertThat(p.path("result").asString()).contains("\u0000\u2028\u001b[0m");
        JsonNode shell = runRaw(HostileServer.SHELL, "bytes-02", "printf 'A\\377\\376\\000\\033[2J\\007Z'; printf '\\300\\001' >&2");
        assertThat(shell.path("stdout").asString()).startsWith("A").endsWith("\u0000\u001b[2J\u0007Z");
        assertThat(shell.path("stderr").asString()).endsWith("\u0001");
        hostile.assertContained("bytes-01");
        hostile.assertShellWorksOrReplaced("bytes-02");
    }

    @Test
    void aHugeResultValueIsReplacedByANote() throws Exception {
        JsonNode p = runRaw(HostileServer.PYTHON, "bigresult-01", "'r' * (20 * 1024 * 1024)");
        assertThat(p.path("status").asString()).isEqualTo("Success");
        assertThat(p.path("result").asString()).isEqualTo("[result truncated: its JSON is 20971522 bytes, more than 1048576]");
        hostile.assertContained("bigresult-01");
    }

    @Test
    void nodeSessionsCapHugeResultsAndAnswerLoneSurrogatesAsValidJson() throws Exception {
        JsonNode big = runRaw(HostileServer.NODE, "node-big-01", "'r'.repeat(20 * 1024 * 1024)");
        assertThat(big.path("status").asString()).as(big.toString()).isEqualTo("Success");
        assertThat(big.path("result").asString()).isEqualTo("[result truncated: its JSON is 20971522 bytes, more than 1048576]");
        JsonNode odd = runRaw(HostileServer.NODE, "node-odd-01",
                "console.log('nul \\u0000 esc \\u001b[2J half \\udcff'); 'x\\ud800y\\u0007'");
        assertThat(odd.path("status").asString()).as(odd.toString()).isEqualTo("Success");
        assertThat(odd.path("stdout").asString()).contains("nul \u0000 esc \u001b[2J half ");
        assertThat(odd.path("result").asString()).startsWith("x").endsWith("y\u0007");
        hostile.assertOthersAnswer();
    }

    /** Session code runs in the driver's process and can write to its socket: the server bounds what it reads. */
    @Test
    void anOversizedAnswerForgedOnTheDriversSocketEndsOnlyThatSession() throws Exception {
        JsonNode p = runRaw(HostileServer.PYTHON, "forged-01", """
                import gc, struct, time
                driver = next(o for o in gc.get_objects() if type(o).__name__ == 'Driver')
                conn = driver.channels[1]
                conn.sendall(struct.pack('>I', 400 << 20))
                chunk = b' ' * (1 << 20)
                for _ in range(400):
                    conn.sendall(chunk)
                time.sleep(60)""");
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("stderr").asString()).as(p.toString()).contains("SessionLost").contains("more than its output limit allows");
        hostile.assertContained("forged-01");
    }
}
