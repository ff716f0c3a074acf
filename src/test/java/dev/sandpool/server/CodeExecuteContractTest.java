package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** V1 {@code code/execute} exactly as wire-protocol.md 2.1 and the tolerances of section 8 describe it. */
class CodeExecuteContractTest {
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(new ExecutionConfig(DataSize.parse("4Ki"), null, null, null, null),
                TestingServer.pool("pyp", 30, 2, 300));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void responseHasAzuresFieldsInAzuresOrder() {
        var r = client.execute("pyp", "shape-0001", "print('hello world')\n1 + 1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json; charset=utf-8");
        assertThat(r.body()).matches("\\{\"\\$id\":\"1\",\"properties\":\\{\"\\$id\":\"2\",\"status\":\"Success\","
                + "\"stdout\":\"hello world\\\\n\",\"stderr\":\"\",\"result\":2,\"executionTimeInMilliseconds\":\\d+}}");
    }

    @Test
    void stateLivesInTheSessionAndNotAcrossIdentifiers() {
        assertThat(client.execute("pyp", "state-aaaa", "counter = 10").properties().path("status").asString()).isEqualTo("Success");
        assertThat(client.execute("pyp", "state-aaaa", "counter += 1\ncounter").properties().path("result").asInt()).isEqualTo(11);
        JsonNode other = client.execute("pyp", "state-bbbb", "counter").properties();
        assertThat(other.path("status").asString()).isEqualTo("Failure");
        assertThat(other.path("stderr").asString()).contains("NameError");
    }

    @Test
    void identifiersAreCaseSensitive() {
        client.execute("pyp", "Case-Sens", "mine = 1");
        assertThat(client.execute("pyp", "case-sens", "mine").properties().path("status").asString()).isEqualTo("Failure");
    }

    @Test
    void resultIsJsonWhenItIsJsonAndReprOtherwise() {
        String id = "values-0001";
        assertThat(client.execute("pyp", id, "'2024-05-04 13:54'").properties().path("result").asString()).isEqualTo("2024-05-04 13:54");
        assertThat(client.execute("pyp", id, "3 > 2").properties().path("result").isBoolean()).isTrue();
        assertThat(client.execute("pyp", id, "[1, 'a', None]").properties().path("result").toString()).isEqualTo("[1,\"a\",null]");
        assertThat(client.execute("pyp", id, "{'k': {'n': 1.5}}").properties().path("result").toString()).isEqualTo("{\"k\":{\"n\":1.5}}");
        assertThat(client.execute("pyp", id, "{1, 2} and object").properties().path("result").asString()).isEqualTo("<class 'object'>");
        assertThat(client.execute("pyp", id, "float('nan')").properties().path("result").asString()).isEqualTo("nan");
        assertThat(client.execute("pyp", id, "x = 1").properties().path("result").asString()).isEmpty();
        assertThat(client.execute("pyp", id, "None").properties().path("result").asString()).isEmpty();
    }

    @Test
    void anExceptionIsAFailureWithItsTracebackAndANullResult() {
        JsonNode p = client.execute("pyp", "fail-0001", "def f():\n    return 1/0\nf()").properties();
        assertThat(p.path("status").asString()).isEqualTo("Failure");
        assertThat(p.path("result").isNull()).isTrue();
        assertThat(p.path("stderr").asString()).contains("Traceback").contains("ZeroDivisionError: division by zero")
                .contains("return 1/0").doesNotContain("sandpool_driver");
        JsonNode syntax = client.execute("pyp", "fail-0001", "def f(:").properties();
        assertThat(syntax.path("stderr").asString()).contains("SyntaxError");
    }

    @Test
    void aMatplotlibFigureBecomesAnImageResult() {
        String code = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [4, 1, 9])\nplt.show()";
        JsonNode result = client.execute("pyp", "plot-0001", code, 120).properties().path("result");
        assertThat(result.path("type").asString()).isEqualTo("image");
        assertThat(result.path("format").asString()).isEqualTo("png");
        byte[] png = Base64.getDecoder().decode(result.path("base64_data").asString());
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        JsonNode leftOpen = client.execute("pyp", "plot-0001", "plt.figure()\nplt.bar([1], [2])").properties().path("result");
        assertThat(leftOpen.path("type").asString()).isEqualTo("image");
    }

    @Test
    void outputIsCappedWithAVisibleMarkerAndChildProcessOutputIsCaptured() {
        JsonNode p = client.execute("pyp", "flood-0001", "print('x' * 100000)\nimport sys\nprint('e' * 9000, file=sys.stderr)").properties();
        assertThat(p.path("stdout").asString()).startsWith("xxxx").contains("[output truncated: more than 4096 bytes]");
        assertThat(p.path("stdout").asString().length()).isLessThan(4096 + 100);
        assertThat(p.path("stderr").asString()).contains("[output truncated");
        JsonNode sub = client.execute("pyp", "flood-0001", "import subprocess\nsubprocess.run(['echo', 'from a child'])\n'ok'").properties();
        assertThat(sub.path("stdout").asString()).isEqualTo("from a child\n");
    }

    @Test
    void invalidUtf8AndControlCharactersComeBackAsValidJson() {
        JsonNode p = client.execute("pyp", "bytes-0001", "import os\nos.write(1, b'\\xff\\xfe ok \\x00\\x1b[31m')\n'\\x00'").properties();
        assertThat(p.path("stdout").asString()).contains(" ok ").contains("\u0000").contains("\uFFFD");
        assertThat(p.path("result").asString()).isEqualTo("\u0000");
    }

    @Test
    void theAzurePathPrefixDoubleAndTrailingSlashesReachThePool() {
        String body = "{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"7*6\"}}";
        for (String path : List.of(
                "/subscriptions/00000000-0000/resourceGroups/my-rg/sessionPools/pyp/code/execute",
                "/pools/pyp//code/execute",
                "//pools/pyp/code/execute/",
                "/subscriptions/s/resourcegroups/r/sessionpools/pyp/code/execute")) {
            var r = client.send("POST", path + "?identifier=alias-0001&api-version=2024-02-02-preview", body);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.properties().path("result").asInt()).as(path).isEqualTo(42);
        }
    }

    @Test
    void queryParametersInAnyOrderAndEveryIdentifierEncoding() {
        client.execute("pyp", "a/b|c&d", "marker = 'encoded'");
        // LangChain Py's quote() keeps '/' raw; LangChain.js and LangChain4j encode everything
        for (String query : List.of("?api-version=2024-02-02-preview&identifier=a/b%7Cc%26d",
                "?identifier=a%2Fb%7Cc%26d&api-version=2024-02-02-preview",
                "?identifier=a/b%7cc%26d")) {
            var r = client.send("POST", "/pools/pyp/code/execute" + query, "{\"properties\":{\"code\":\"marker\"}}");
            assertThat(r.properties().path("result").asString()).as(query).isEqualTo("encoded");
        }
        // '+' is a space in a query (LangChain4j's URLEncoder), and a space is not a valid identifier
        assertThat(client.send("POST", "/pools/pyp/code/execute?identifier=ab+cd", "{\"properties\":{\"code\":\"1\"}}")
                .status()).isEqualTo(400);
    }

    @Test
    void enumCasingMissingTimeoutPythonCodeAliasAndBase64AreAccepted() {
        var cased = client.send("POST", "/pools/pyp/code/execute?identifier=enum-0001",
                "{\"properties\":{\"codeInputType\":\"INLINE\",\"executionType\":\"Synchronous\",\"code\":\"1\"}}");
        assertThat(cased.properties().path("status").asString()).isEqualTo("Success");
        var alias = client.send("POST", "/pools/pyp/code/execute?identifier=enum-0001",
                "{\"properties\":{\"identifier\":\"ignored-one\",\"pythonCode\":\"2\",\"unknownField\":true}}");
        assertThat(alias.properties().path("result").asInt()).isEqualTo(2);
        String encoded = Base64.getEncoder().encodeToString("40 + 2".getBytes());
        var b64 = client.send("POST", "/pools/pyp/code/execute?identifier=enum-0001",
                "{\"properties\":{\"codeInputType\":\"InlineBase64\",\"code\":\"" + encoded + "\"}}");
        assertThat(b64.properties().path("result").asInt()).isEqualTo(42);
    }

    @Test
    void theIdentifierMayComeInTheBodyWhenTheQueryHasNone() {
        var r = client.send("POST", "/pools/pyp/code/execute?api-version=2024-02-02-preview",
                "{\"properties\":{\"identifier\":\"body-ident\",\"pythonCode\":\"'from body'\"}}");
        assertThat(r.properties().path("result").asString()).isEqualTo("from body");
    }
}
