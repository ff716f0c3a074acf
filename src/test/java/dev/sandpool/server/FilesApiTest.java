package dev.sandpool.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.DataSize;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.testing.AzureClient;
import dev.sandpool.testing.TestingServer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Files on V1, V2 and legacy routes, with every client's multipart quirks (wire-protocol.md 2.2-2.5, 3.2-3.6, 4, 8.8). */
class FilesApiTest {
    private static final String V1 = "&api-version=2024-02-02-preview";
    private static final String V2 = "&api-version=2025-02-02-preview";
    private static TestingServer server;
    private static AzureClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestingServer.start(ExecutionConfig.defaults(),
                new FilesConfig(DataSize.parse("1Mi"), DataSize.parse("3Mi")), TestingServer.pool("files", 30, 2, 300));
        client = server.client;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static AzureClient.Response upload(String route, String id, String disposition, String partType, byte[] content) {
        return client.upload("/pools/files/" + route + "?identifier=" + id + V1, "multipart/form-data; boundary=----formdata-undici-022997858003",
                AzureClient.multipart("----formdata-undici-022997858003", disposition, partType, content));
    }

    @Test
    void v1UploadListDownloadAndCodeSeesTheFile() {
        var up = upload("files/upload", "v1-files-1", "form-data; name=\"file\"; filename=\"test1.txt\"",
                "application/octet-stream", "hello world!!!!!".getBytes());
        assertThat(up.status()).isEqualTo(200);
        JsonNode props = up.json().path("value").get(0).path("properties");
        assertThat(up.json().path("$id").asString()).isEqualTo("1");
        assertThat(props.path("filename").asString()).isEqualTo("test1.txt");
        assertThat(props.path("size").asLong()).isEqualTo(16);
        assertThat(props.path("lastModifiedTime").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z");
        assertThat(client.execute("files", "v1-files-1", "open('/mnt/data/test1.txt').read()").properties()
                .path("result").asString()).isEqualTo("hello world!!!!!");
        var list = client.send("GET", "/pools/files/files?identifier=v1-files-1" + V1, null).json();
        assertThat(list.path("value").get(0).path("properties").path("filename").asString()).isEqualTo("test1.txt");
        var download = client.download("/pools/files/files/content/test1.txt?identifier=v1-files-1" + V1);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(new String(download.body())).isEqualTo("hello world!!!!!");
    }

    @Test
    void filesWrittenByCodeAreListedAndDownloadableByteExact() {
        client.execute("files", "v1-files-2", "import os\nos.makedirs('/mnt/data/out', exist_ok=True)\n"
                + "open('/mnt/data/out/all bytes.bin', 'wb').write(bytes(range(256)) * 40)");
        var list = client.send("GET", "/pools/files/files?identifier=v1-files-2" + V1, null).json();
        assertThat(list.path("value").get(0).path("properties").path("filename").asString()).isEqualTo("out/all bytes.bin");
        byte[] expected = new byte[256 * 40];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        assertThat(client.download("/pools/files/files/content/out/all%20bytes.bin?identifier=v1-files-2" + V1).body())
                .isEqualTo(expected);
        var meta = client.send("GET", "/pools/files/files/out/all%20bytes.bin?identifier=v1-files-2" + V1, null).json();
        assertThat(meta.path("value").get(0).path("properties").path("size").asLong()).isEqualTo(10240);
        assertThat(client.send("DELETE", "/pools/files/files/out/all%20bytes.bin?identifier=v1-files-2" + V1, null).status())
                .isEqualTo(204);
        assertThat(client.execute("files", "v1-files-2", "import os\nos.listdir('/mnt/data/out')").properties()
                .path("result").toString()).isEqualTo("[]");
    }

    @Test
    void everyClientsMultipartQuirkIsAccepted() {
        byte[] data = "quirk".getBytes();
        // LlamaIndex and SK Python: an absolute /mnt/data path as the filename
        assertThat(name(upload("files/upload", "quirks-01", "form-data; name=\"file\"; filename=\"/mnt/data/abs.txt\"",
                "application/octet-stream", data))).isEqualTo("abs.txt");
        // LangChain4j: part Content-Type application/json
        assertThat(name(upload("files/upload", "quirks-01", "form-data; name=\"file\"; filename=\"lc4j.csv\"",
                "application/json", data))).isEqualTo("lc4j.csv");
        // old SK .NET: no part Content-Type; .NET: unquoted values and filename*
        assertThat(name(upload("files/upload", "quirks-01",
                "form-data; name=file; filename=plain.txt; filename*=utf-8''caf%C3%A9.txt", null, data))).isEqualTo("café.txt");
        // LangChain Python with data= and no remote name: no filename at all
        assertThat(name(upload("files/upload", "quirks-01", "form-data; name=\"file\"", null, data))).startsWith("upload-");
        // SK Python after an execute: Content-Type application/json, no boundary
        var sk = client.upload("/pools/files/files/upload?identifier=quirks-01" + V1, "application/json",
                AzureClient.multipart("b7f3e0c1", "form-data; name=\"file\"; filename=\"/mnt/data/sk.txt\"",
                        "application/octet-stream", data));
        assertThat(name(sk)).isEqualTo("sk.txt");
        // SK Python then looks the file up by listing: it must be there at once
        var list = client.send("GET", "/pools/files/files?identifier=quirks-01" + V1, null).json().path("value");
        assertThat(list.findValuesAsString("filename")).contains("abs.txt", "lc4j.csv", "café.txt", "sk.txt");
    }

    private static String name(AzureClient.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("value").get(0).path("properties").path("filename").asString();
    }

    @Test
    void v2RoutesWithPathRecursiveAndEncodedNames() {
        var up = client.upload("/pools/files/files?identifier=v2-files-1" + V2 + "&path=/mnt/data/reports",
                "multipart/form-data; boundary=XyZ", AzureClient.multipart("XyZ",
                        "form-data; name=\"file\"; filename=\"cert.txt\"", null, "testing".getBytes()));
        assertThat(up.status()).isEqualTo(200);
        JsonNode entry = up.json();
        assertThat(entry.path("name").asString()).isEqualTo("cert.txt");
        assertThat(entry.path("type").asString()).isEqualTo("file");
        assertThat(entry.path("contentType").asString()).isEqualTo("text/plain; charset=utf-8");
        assertThat(entry.path("sizeInBytes").asLong()).isEqualTo(7);
        assertThat(entry.path("lastModifiedAt").asString()).isNotBlank();
        JsonNode top = client.send("GET", "/pools/files/files?identifier=v2-files-1" + V2, null).json();
        assertThat(top.path("value").get(0).path("name").asString()).isEqualTo("reports");
        assertThat(top.path("value").get(0).path("type").asString()).isEqualTo("directory");
        JsonNode all = client.send("GET", "/pools/files/files?identifier=v2-files-1" + V2 + "&recursive=true", null).json();
        assertThat(all.path("value").get(1).path("directory").asString()).isEqualTo("reports");
        JsonNode inDir = client.send("GET", "/pools/files/files?identifier=v2-files-1" + V2 + "&path=reports", null).json();
        assertThat(inDir.path("value").get(0).path("name").asString()).isEqualTo("cert.txt");
        // SK .NET escapes '/' as %2F; LangChain Bash leaves it raw
        assertThat(new String(client.download("/pools/files/files/reports%2Fcert.txt/content?identifier=v2-files-1" + V2).body()))
                .isEqualTo("testing");
        assertThat(new String(client.download("/pools/files/files/reports/cert.txt/content?identifier=v2-files-1" + V2).body()))
                .isEqualTo("testing");
        assertThat(client.send("GET", "/pools/files/files/reports/cert.txt?identifier=v2-files-1" + V2, null).json()
                .path("sizeInBytes").asLong()).isEqualTo(7);
        assertThat(client.send("DELETE", "/pools/files/files/reports/cert.txt?identifier=v2-files-1" + V2, null).status())
                .isEqualTo(204);
        assertThat(client.send("GET", "/pools/files/files?identifier=fresh-v2-01" + V2, null).body())
                .isEqualTo("{\"$id\":\"1\",\"value\":[],\"nextLink\":null}");
    }

    @Test
    void legacyRoutes() {
        var up = client.upload("/pools/files/python/uploadFile?identifier=legacy-f-1", "multipart/form-data; boundary=q",
                AzureClient.multipart("q", "form-data; name=\"file\"; filename=\"old.txt\"", null, "old".getBytes()));
        assertThat(up.json().path("$values").get(0).path("filename").asString()).isEqualTo("old.txt");
        assertThat(client.send("GET", "/pools/files/python/files?identifier=legacy-f-1", null).json()
                .path("$values").get(0).path("size").asInt()).isEqualTo(3);
        assertThat(new String(client.download("/pools/files/python/downloadFile?identifier=legacy-f-1&filename=old.txt").body()))
                .isEqualTo("old");
        // old SK .NET builds {E}/ + /files: a double slash
        assertThat(client.send("GET", "/pools/files//files?identifier=legacy-f-1" + V1, null).status()).isEqualTo(200);
    }

    @Test
    void percentSignsAndPlusesInFileNamesAreDecodedExactlyOnce() {
        client.execute("files", "percent-01", "open('/mnt/data/a%2Bb.bin', 'w').write('percent')\n"
                + "open('/mnt/data/a+b.bin', 'w').write('plus')");
        for (String prefix : new String[] {"/pools/files", "/subscriptions/s/resourceGroups/r/sessionPools/files"}) {
            assertThat(new String(client.download(prefix + "/files/content/a%252Bb.bin?identifier=percent-01" + V1).body()))
                    .as(prefix).isEqualTo("percent");
            assertThat(new String(client.download(prefix + "/files/content/a%2Bb.bin?identifier=percent-01" + V1).body()))
                    .as(prefix).isEqualTo("plus");
            assertThat(new String(client.download(prefix + "/files/a%252Bb.bin/content?identifier=percent-01" + V2).body()))
                    .as(prefix).isEqualTo("percent");
        }
        assertThat(new String(client.download("/pools/files/files/content/a+b.bin?identifier=percent-01" + V1).body()))
                .isEqualTo("plus");
    }

    @Test
    void missingFilesAre404WithTheTextThatLangChain4jLooksFor() {
        var r = client.send("GET", "/pools/files/files/content/nothing.txt?identifier=missing-01" + V1, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("x-ms-error-code")).isEqualTo("FileNotFound");
        assertThat(r.body()).contains("404");
        assertThat(client.send("DELETE", "/pools/files/files/nothing.txt?identifier=missing-01" + V2, null).status()).isEqualTo(404);
    }

    @Test
    void traversalAndPathsOutsideMntDataAreRefused() {
        for (String path : new String[] {"files/content/..%2F..%2Fetc%2Fpasswd", "files/content/%2Fetc%2Fpasswd",
                "files/..%2F..%2Fetc%2Fpasswd"}) {
            var r = client.send("GET", "/pools/files/" + path + "?identifier=escape-f-1" + V1, null);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.header("x-ms-error-code")).isEqualTo("InvalidPath");
        }
        var upload = upload("files/upload", "escape-f-1", "form-data; name=\"file\"; filename=\"../../escaped.txt\"",
                null, "x".getBytes());
        assertThat(upload.status()).isEqualTo(400);
    }

    @Test
    void aSymlinkPlantedBySessionCodeNeverLeaksHostFiles() {
        client.execute("files", "symlink-01", "import os\nos.symlink('/etc/passwd', '/mnt/data/passwd')\n"
                + "os.symlink('/etc', '/mnt/data/etc')");
        assertThat(client.send("GET", "/pools/files/files/content/passwd?identifier=symlink-01" + V1, null).status()).isEqualTo(404);
        assertThat(client.send("GET", "/pools/files/files/content/etc/hostname?identifier=symlink-01" + V1, null).status())
                .isIn(400, 404);
        var write = upload("files/upload", "symlink-01", "form-data; name=\"file\"; filename=\"etc/planted\"", null, "x".getBytes());
        assertThat(write.status()).isNotEqualTo(200);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/etc/planted"))).isFalse();
    }

    @Test
    void oversizeUploadsAre413AndLeaveNoPartialFileAndTheQuotaHolds() {
        byte[] big = new byte[(1 << 20) + 10];
        new Random(1).nextBytes(big);
        var r = upload("files/upload", "limits-01", "form-data; name=\"file\"; filename=\"big.bin\"", null, big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("x-ms-error-code")).isEqualTo("PayloadTooLarge");
        for (int i = 0; i < 3; i++) {
            assertThat(upload("files/upload", "limits-01", "form-data; name=\"file\"; filename=\"part" + i + ".bin\"", null,
                    new byte[1000 * 1000]).status()).isEqualTo(200);
        }
        var over = upload("files/upload", "limits-01", "form-data; name=\"file\"; filename=\"part3.bin\"", null, new byte[300_000]);
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.header("x-ms-error-code")).isEqualTo("SessionQuotaExceeded");
        assertThat(client.execute("files", "limits-01", "import os\nsorted(os.listdir('/mnt/data'))").properties()
                .path("result").toString()).isEqualTo("[\"part0.bin\",\"part1.bin\",\"part2.bin\"]");
    }

    @Test
    void brokenMultipartBodiesAre400() {
        var noBoundary = client.upload("/pools/files/files/upload?identifier=broken-01" + V1, "application/json",
                "{\"not\":\"multipart\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(noBoundary.status()).isEqualTo(400);
        var truncated = client.upload("/pools/files/files/upload?identifier=broken-01" + V1, "multipart/form-data; boundary=zz",
                "--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.txt\"\r\n\r\nno end".getBytes());
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(client.execute("files", "broken-01", "import os\nos.listdir('/mnt/data')").properties()
                .path("result").toString()).isEqualTo("[]");
    }
}
