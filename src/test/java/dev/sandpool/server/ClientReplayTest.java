package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Each client of wire-protocol.md section 0.1, replayed request by request as that document
 * describes it (paths, query encodings, headers, bodies, multipart framing), asserting what that
 * client reads from each answer. Written from the contract, not from client code.
 */
class ClientReplayTest {
    static TestingServer server;
    static String key;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(TestingServer.pool("py-pool", 40, 2, 300),
                new PoolConfig("bash-pool", ContainerType.Shell, 10, 1, 300, null, 1.0, DataSize.parse("256Mi"), List.of()));
        key = server.server.apiKey().orElseThrow().key();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The Azure-shaped endpoint every client is configured with. */
    static String endpoint(String pool) {
        return server.server.baseUrl() + "/subscriptions/0000-sub/resourceGroups/my-rg/sessionPools/" + pool;
    }

    record Answer(int status, byte[] body, HttpResponse<byte[]> raw) {
        JsonNode json() {
            return AzureClient.JSON.readTree(body);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static Answer send(String method, String url, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] multipart(String boundary, String disposition, String partType, String content) {
        return AzureClient.multipart(boundary, disposition, partType, utf8(content));
    }

    /** Python's urllib.parse.quote: '/' stays raw. */
    static String quote(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    @Nested
    class LangChainPython {
        static final String UA = "langchain-azure-dynamic-sessions/1.0.3 (Language=Python)";
        final String id = "3f2c9d4e-1111-4a2b-9c3d-5e6f7a8b9c0d";

        @Test
        void replTool() {
            Answer exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + quote(id) + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\": {\"codeInputType\": \"inline\", \"executionType\": \"synchronous\", "
                            + "\"code\": \"print('hello world')\\n1 + 1\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", UA);
            assertThat(exec.status()).isBetween(200, 299);
            JsonNode p = exec.json().path("properties");
            assertThat(p.path("result").asInt()).isEqualTo(2);
            assertThat(p.path("stdout").asString()).isEqualTo("hello world\n");
            assertThat(p.path("stderr").asString()).isEmpty();

            Answer upload = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + quote(id) + "&api-version=2024-02-02-preview",
                    multipart("9a8b7c6d5e4f", "form-data; name=\"file\"; filename=\"test1.txt\"", "application/octet-stream",
                            "hello world!!!!!"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=9a8b7c6d5e4f", "User-Agent", UA);
            JsonNode uploaded = upload.json().path("value").get(0).path("properties");
            assertThat(uploaded.path("filename").asString()).isEqualTo("test1.txt");
            assertThat(uploaded.path("size").asInt()).isEqualTo(16);

            Answer noName = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + quote(id) + "&api-version=2024-02-02-preview",
                    multipart("9a8b7c6d5e4f", "form-data; name=\"file\"", "application/octet-stream", "data only"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=9a8b7c6d5e4f", "User-Agent", UA);
            assertThat(noName.json().path("value").get(0).path("properties").path("filename").asString()).isNotBlank();

            send("POST", endpoint("py-pool") + "/code/execute?identifier=" + quote(id) + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\": {\"codeInputType\": \"inline\", \"executionType\": \"synchronous\", "
                            + "\"code\": \"import os\\nos.makedirs('sub', exist_ok=True)\\nopen('sub/a.txt','w').write('nested')\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", UA);
            Answer list = send("GET", endpoint("py-pool") + "/files?identifier=" + quote(id) + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA);
            assertThat(list.json().path("value").findValuesAsString("filename")).contains("test1.txt", "sub/a.txt");
            assertThat(list.json().path("value").get(0).path("properties").path("size").isNumber()).isTrue();

            Answer download = send("GET", endpoint("py-pool") + "/files/content/" + quote("sub/a.txt") + "?identifier=" + quote(id)
                    + "&api-version=2024-02-02-preview", null, "Authorization", "Bearer " + key, "User-Agent", UA);
            assertThat(download.text()).isEqualTo("nested");

            Answer delete = send("DELETE", endpoint("py-pool") + "/session?identifier=" + quote(id) + "&api-version=2025-10-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA);
            assertThat(delete.status()).isBetween(200, 299);
        }

        @Test
        void bashTool() {
            String bashId = "bash-tool-session-01";
            Answer exec = send("POST", endpoint("bash-pool") + "/executions?identifier=" + quote(bashId) + "&api-version=2025-02-02-preview",
                    utf8("{\"shellCommand\": \"echo hello\"}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", UA);
            JsonNode body = exec.json();
            assertThat(Integer.parseInt(body.path("status").asString())).isZero();
            assertThat(body.path("result").path("stdout").asString() + body.path("result").path("stderr").asString()).isEqualTo("hello\n");

            Answer upload = send("POST", endpoint("bash-pool") + "/files?identifier=" + quote(bashId)
                            + "&api-version=2025-02-02-preview&path=/mnt/data",
                    multipart("bash-bound", "form-data; name=\"file\"; filename=\"script.sh\"", "application/octet-stream", "echo from script\n"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=bash-bound", "User-Agent", UA);
            assertThat(upload.json().path("name").asString()).isEqualTo("script.sh");
            assertThat(upload.json().path("sizeInBytes").asInt()).isEqualTo(17);
            assertThat(send("POST", endpoint("bash-pool") + "/executions?identifier=" + quote(bashId) + "&api-version=2025-02-02-preview",
                    utf8("{\"shellCommand\": \"bash script.sh\"}"), "Authorization", "Bearer " + key, "Content-Type", "application/json")
                    .json().path("result").path("stdout").asString()).isEqualTo("from script\n");
            Answer list = send("GET", endpoint("bash-pool") + "/files?identifier=" + quote(bashId) + "&api-version=2025-02-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA);
            assertThat(list.json().path("value").get(0).path("name").asString()).isEqualTo("script.sh");
            assertThat(list.json().path("value").get(0).path("sizeInBytes").asInt()).isEqualTo(17);
            assertThat(send("GET", endpoint("bash-pool") + "/files/" + quote("script.sh") + "/content?identifier=" + quote(bashId)
                    + "&api-version=2025-02-02-preview", null, "Authorization", "Bearer " + key).text()).isEqualTo("echo from script\n");
            assertThat(send("DELETE", endpoint("bash-pool") + "/session?identifier=" + quote(bashId) + "&api-version=2025-10-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA).status()).isEqualTo(204);
        }
    }

    @Nested
    class LangChainJs {
        static final String UA = "langchainjs-azure-dynamic-sessions (Language=JavaScript; node.js/v20.20.2; linux; x64)";
        final String id = "js session/1 & co";

        @Test
        void replTool() {
            String enc = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
            // an identifier with a space is not valid on the wire; LangChain.js defaults to UUIDs, so use one here too
            String uuid = "0b6f7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e";
            assertThat(send("POST", endpoint("py-pool") + "/code/execute?identifier=" + enc + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"1\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json").status()).isEqualTo(400);
            Answer exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + uuid + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"print('hi')\\n'x' * 3\"}}"),
                    "Authorization", "Bearer dummy-replaced", "Content-Type", "application/json", "User-Agent", UA);
            assertThat(exec.status()).isEqualTo(401);
            exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + uuid + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"print('hi')\\n'x' * 3\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", UA);
            JsonNode p = exec.json().path("properties");
            assertThat(List.of(p.path("result").asString(), p.path("stdout").asString(), p.path("stderr").asString()))
                    .containsExactly("xxx", "hi\n", "");
            String boundary = "----formdata-undici-022997858003";
            Answer upload = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + uuid + "&api-version=2024-02-02-preview",
                    multipart(boundary, "form-data; name=\"file\"; filename=\"test.txt\"", "application/octet-stream", "hello world!"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=" + boundary, "User-Agent", UA);
            assertThat(upload.json().path("value").get(0).path("properties").path("filename").asString()).isEqualTo("test.txt");
            Answer list = send("GET", endpoint("py-pool") + "/files?identifier=" + uuid + "&api-version=2024-02-02-preview", null,
                    "Authorization", "Bearer " + key, "User-Agent", UA);
            assertThat(list.json().path("value").get(0).path("properties").path("filename").asString()).isEqualTo("test.txt");
            assertThat(send("GET", endpoint("py-pool") + "/files/content/test.txt?identifier=" + uuid + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA).text()).isEqualTo("hello world!");
        }
    }

    @Nested
    class LlamaIndex {
        @Test
        void codeInterpreterToolSpec() {
            String id = "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d";
            Answer exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + id + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\": {\"codeInputType\": \"inline\", \"executionType\": \"synchronous\", "
                            + "\"code\": \"import matplotlib.pyplot as plt\\nplt.plot([1,2])\\nplt.show()\\n\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json",
                    "User-Agent", "llamaindex-azure-code-interpreter/0.7.0 (Language=Python)");
            JsonNode result = exec.json().path("properties").path("result");
            // LlamaIndex saves <session>_<ts>.<format> from base64_data
            assertThat(result.path("format").asString()).isEqualTo("png");
            assertThat(java.util.Base64.getDecoder().decode(result.path("base64_data").asString())).isNotEmpty();
            Answer upload = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + id + "&api-version=2024-02-02-preview",
                    multipart("llama", "form-data; name=\"file\"; filename=\"/mnt/data/data.csv\"", "application/octet-stream", "a,b\n1,2\n"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=llama");
            assertThat(upload.json().path("value").get(0).path("properties").path("filename").asString()).isEqualTo("data.csv");
            JsonNode entry = send("GET", endpoint("py-pool") + "/files?identifier=" + id + "&api-version=2024-02-02-preview", null,
                    "Authorization", "Bearer " + key).json().path("value").get(0);
            assertThat(entry.path("properties").path("filename").asString()).isEqualTo("data.csv");
            assertThat(entry.path("properties").path("size").asInt()).isEqualTo(8);
            assertThat(send("GET", endpoint("py-pool") + "/files/content/data.csv?identifier=" + id + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key).text()).isEqualTo("a,b\n1,2\n");
        }
    }

    @Nested
    class SemanticKernelPython {
        @Test
        void sessionsPythonTool() {
            String id = "sk-py-session-7d1e";
            String ua = "semantic-kernel-python/1.45.0 (Language=Python)";
            Answer exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + id + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\": {\"codeInputType\": \"inline\", \"executionType\": \"synchronous\", "
                            + "\"code\": \"x = 21\\nx * 2\", \"timeoutInSeconds\": 100}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", ua);
            JsonNode p = exec.json().path("properties");
            assertThat(p.has("status")).isTrue();
            assertThat(p.path("status").asString()).isEqualTo("Success");
            assertThat(p.path("result").asInt()).isEqualTo(42);
            // after an execute, the shared httpx client sends Content-Type: application/json on the multipart upload too
            Answer upload = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + id + "&api-version=2024-02-02-preview",
                    multipart("5e2b9c0a1d7f4e3b", "form-data; name=\"file\"; filename=\"/mnt/data/report.txt\"",
                            "application/octet-stream", "sk report"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", ua);
            assertThat(upload.status()).isEqualTo(200);
            Answer list = send("GET", endpoint("py-pool") + "/files?identifier=" + id + "&api-version=2024-02-02-preview", null,
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", ua);
            boolean found = false;
            for (JsonNode entry : list.json().path("value")) {
                found |= ("/mnt/data/" + entry.path("properties").path("filename").asString()).equals("/mnt/data/report.txt");
            }
            assertThat(found).isTrue();
            assertThat(send("GET", endpoint("py-pool") + "/files/content/report.txt?identifier=" + id + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key, "Content-Type", "application/json").text()).isEqualTo("sk report");
        }
    }

    @Nested
    class SemanticKernelDotnet {
        static final String UA = "Semantic-Kernel/1.80.0.0 (Language=dotnet)";

        @Test
        void sessionsPythonPluginV2() {
            String id = "93279bd8-9f51-4b2e-8c0d-6a7b8c9d0e1f";
            Answer exec = send("POST", endpoint("py-pool") + "/executions?identifier=" + id + "&api-version=2024-10-02-preview",
                    utf8("{\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\",\"timeoutInSeconds\":100,"
                            + "\"code\":\"result = 5 + 3\\nprint(result)\\nresult\"}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json; charset=utf-8", "User-Agent", UA);
            JsonNode body = exec.json();
            assertThat(body.path("status").isString()).isTrue();
            assertThat(body.path("result").path("stdout").asString()).isEqualTo("8\n");
            assertThat(body.path("result").path("executionResult").isString()).isTrue();
            // multipart part with a filename and no part Content-Type
            Answer upload = send("POST", endpoint("py-pool") + "/files?identifier=" + id + "&api-version=2024-10-02-preview",
                    multipart("dotnet-b0und4ry", "form-data; name=file; filename=\"sub dir/notes.txt\"; filename*=utf-8''sub%20dir%2Fnotes.txt",
                            null, "notes"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=\"dotnet-b0und4ry\"", "User-Agent", UA);
            JsonNode meta = upload.json();
            assertThat(meta.has("name") && meta.has("type") && meta.has("lastModifiedAt")).isTrue();
            JsonNode list = send("GET", endpoint("py-pool") + "/files?identifier=" + id + "&api-version=2024-10-02-preview&recursive=true",
                    null, "Authorization", "Bearer " + key, "User-Agent", UA).json();
            for (JsonNode entry : list.path("value")) {
                assertThat(entry.has("name") && entry.has("type") && entry.has("lastModifiedAt")).isTrue();
                assertThat(entry.path("sizeInBytes").asLong()).isLessThanOrEqualTo(Integer.MAX_VALUE);
            }
            assertThat(send("GET", endpoint("py-pool") + "/files/" + URLEncoder.encode("sub dir/notes.txt", StandardCharsets.UTF_8)
                    .replace("+", "%20") + "/content?identifier=" + id + "&api-version=2024-10-02-preview", null,
                    "Authorization", "Bearer " + key, "User-Agent", UA).text()).isEqualTo("notes");
        }

        @Test
        void oldPluginOnLegacyRoutes() {
            String id = "old-sk-dotnet-0001";
            Answer exec = send("POST", endpoint("py-pool") + "/python/execute?api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"identifier\":\"" + id + "\",\"codeInputType\":\"Inline\",\"executionType\":\"Synchronous\","
                            + "\"timeoutInSeconds\":100,\"pythonCode\":\"print('legacy')\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", UA);
            assertThat(exec.json().path("status").asString()).isEqualTo("Success");
            assertThat(exec.json().path("stdout").asString()).isEqualTo("legacy\n");
            send("POST", endpoint("py-pool") + "/files/upload?identifier=" + id + "&api-version=2024-02-02-preview",
                    multipart("old", "form-data; name=file; filename=old.txt", null, "old"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=old");
            assertThat(send("GET", endpoint("py-pool") + "/python/downloadFile?identifier=" + id + "&filename=old.txt&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key).text()).isEqualTo("old");
            assertThat(send("GET", endpoint("py-pool") + "//files?identifier=" + id + "&api-version=2024-02-02-preview", null,
                    "Authorization", "Bearer " + key).json().path("value").get(0).path("properties").path("lastModifiedTime").asString())
                    .isNotBlank();
        }
    }

    @Nested
    class LangChain4j {
        @Test
        void sessionsReplTool() {
            String id = "lc4j session+1";
            String enc = URLEncoder.encode("lc4j-session+1", StandardCharsets.UTF_8);
            Answer exec = send("POST", endpoint("py-pool") + "/code/execute?identifier=" + enc + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"codeInputType\":\"inline\",\"executionType\":\"synchronous\",\"code\":\"'j' + 'ava'\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", "langchain4j-azure-dynamic-sessions");
            assertThat(exec.json().path("properties").isObject()).isTrue();
            assertThat(exec.json().path("properties").path("result").asString()).isEqualTo("java");
            String boundary = "----" + 1732280000123L;
            Answer upload = send("POST", endpoint("py-pool") + "/files/upload?identifier=" + enc + "&api-version=2024-02-02-preview",
                    multipart(boundary, "form-data; name=\"file\"; filename=\"input.json\"", "application/json", "{\"k\":1}"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=" + boundary);
            JsonNode first = upload.json().path("value").get(0);
            assertThat(first.path("properties").path("size").isNumber()).isTrue();
            assertThat(send("GET", endpoint("py-pool") + "/files?identifier=" + enc + "&api-version=2024-02-02-preview", null,
                    "Authorization", "Bearer " + key).json().path("value").get(0).path("properties").path("filename").asString())
                    .isEqualTo("input.json");
            assertThat(send("GET", endpoint("py-pool") + "/files/content/input.json?identifier=" + enc + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key).text()).isEqualTo("{\"k\":1}");
            Answer missing = send("GET", endpoint("py-pool") + "/files/content/none.json?identifier=" + enc + "&api-version=2024-02-02-preview",
                    null, "Authorization", "Bearer " + key);
            assertThat(missing.text()).contains("404");
            assertThat(id).contains("+");
        }
    }

    @Nested
    class AzCli {
        @Test
        void codeInterpreterCommands() {
            String id = "testidentifier000003";
            String ua = "python/3.11.9 (Linux-6.8) AZURECLI/2.66.0";
            Answer exec = send("POST", endpoint("py-pool") + "/executions?identifier=" + id + "&api-version=2024-10-02-preview",
                    utf8("{\"codeInputType\": \"inline\", \"executionType\": \"synchronous\", \"code\": \"print('Hello world')\", "
                            + "\"timeoutInSeconds\": 60}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json", "User-Agent", ua);
            assertThat(exec.status()).isEqualTo(202);
            assertThat(exec.json().path("executionType").asString()).isEqualTo("synchronous");
            assertThat(exec.json().path("result").path("stdout").asString()).isEqualTo("Hello world\n");
            Answer empty = send("GET", endpoint("py-pool") + "/files?identifier=fresh-cli-01&path=&api-version=2024-10-02-preview",
                    null, "Authorization", "Bearer " + key, "User-Agent", ua);
            assertThat(empty.text()).isEqualTo("{\"$id\":\"1\",\"value\":[],\"nextLink\":null}");
            send("POST", endpoint("py-pool") + "/files?identifier=" + id + "&api-version=2024-10-02-preview",
                    multipart("cli", "form-data; name=\"file\"; filename=\"cert.txt\"", null, "testing"),
                    "Authorization", "Bearer " + key, "Content-Type", "multipart/form-data; boundary=cli", "User-Agent", "python-requests/2.32.3");
            assertThat(send("GET", endpoint("py-pool") + "/files/cert.txt/content?identifier=" + id + "&api-version=2024-10-02-preview",
                    null, "Authorization", "Bearer " + key).text()).isEqualTo("testing");
            assertThat(send("GET", endpoint("py-pool") + "/files/cert.txt?identifier=" + id + "&api-version=2024-10-02-preview",
                    null, "Authorization", "Bearer " + key).json().path("sizeInBytes").asInt()).isEqualTo(7);
            Answer delete = send("DELETE", endpoint("py-pool") + "/files/cert.txt?identifier=" + id + "&api-version=2024-10-02-preview",
                    null, "Authorization", "Bearer " + key);
            assertThat(delete.status()).isEqualTo(204);
            assertThat(delete.body()).isEmpty();
        }
    }

    @Nested
    class LlamaIndexTs {
        @Test
        void doubleSlashRouteWithTheLegacyBody() {
            String id = "llamats-0001";
            Answer exec = send("POST", endpoint("py-pool") + "//code/execute?identifier=" + id + "&api-version=2024-02-02-preview",
                    utf8("{\"properties\":{\"identifier\":\"" + id + "\",\"codeInputType\":\"inline\",\"executionType\":\"synchronous\","
                            + "\"pythonCode\":\"2 ** 10\"}}"),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json",
                    "User-Agent", "llamaIndex-azure-dynamic-sessions (Language=TypeScript; node.js/v20)");
            assertThat(exec.status()).isEqualTo(200);
            assertThat(exec.json().path("properties").path("result").asInt()).isEqualTo(1024);
        }
    }
}
