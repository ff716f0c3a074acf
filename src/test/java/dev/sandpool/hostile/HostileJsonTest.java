package dev.sandpool.hostile;

import static dev.sandpool.hostile.HostileServer.POOL;
import static dev.sandpool.hostile.HostileServer.V1;
import static dev.sandpool.hostile.HostileServer.V2;
import static dev.sandpool.hostile.HostileServer.assertAzureError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed, deeply nested, huge and wrongly typed JSON on every route that reads a JSON body
 * (V1 execute, V2 executions, pool management): a 4xx in Azure's shape each time, and no harm.
 */
class HostileJsonTest {
    private static final List<String> JSON_ROUTES = List.of(
            "/pools/" + POOL + "/code/execute?identifier=json-hx7q-1" + V1,
            "/pools/" + POOL + "/executions?identifier=json-hx7q-2" + V2,
            "/management/pools/json-hx7q-pool?api-version=2025-10-02-preview");
    @RegisterExtension
    static final UnharmedServer SERVER = new UnharmedServer();

    private static void assertRejected(String body) throws Exception {
        assertRejected(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRejected(byte[] body) throws Exception {
        for (String route : JSON_ROUTES) {
            var r = SERVER.get().post(route, "application/json", body);
            assertThat(r.status()).as(route + " with " + new String(body, 0, Math.min(body.length, 200),
                    StandardCharsets.UTF_8)).isIn(400, 413);
            assertAzureError(r, 400, 413);
        }
    }

    @Test
    void malformedJson() throws Exception {
        for (String body : List.of("{", "}", "{\"properties\":", "{\"properties\":{\"code\":\"1\"}}}", "{\"a\" 1}",
                "{'properties':{'code':'1'}}", "{\"properties\":{\"code\":\"1\"} /* c */}", "NaN", "null", "true", "42",
                "\"text\"", "[]", "\u0000", "{\"properties\":{\"code\":\"\\ud800\\u0000\\uzzzz\"}}", " ",
                "{\"properties\":{\"code\":\"1\"}} trailing", "{\"properties\":{\"code\":\"1\"}}{}")) {
            assertRejected(body);
        }
        assertRejected(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', ':', '1', '}'});
        // well-formed, but no execute request
        for (String body : List.of("{\"properties\":{\"code\":1e99999999}}",
                "{\"properties\":{\"timeoutInSeconds\":" + "9".repeat(5000) + "}}", "{\"code\":" + "9".repeat(5000) + "}")) {
            for (String route : JSON_ROUTES.subList(0, 2)) {
                assertAzureError(SERVER.get().post(route, "application/json", body.getBytes(StandardCharsets.UTF_8)), 400);
            }
        }
    }

    @Test
    void deeplyNestedJson() throws Exception {
        for (int depth : new int[] {600, 100_000}) {
            assertRejected("[".repeat(depth) + "]".repeat(depth));
            assertRejected("{\"properties\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}");
            assertRejected("{\"properties\":{\"code\":\"1\",\"x\":" + "[".repeat(depth));
        }
    }

    @Test
    void hugeJson() throws Exception {
        byte[] big = ("{\"properties\":{\"code\":\"" + "x".repeat((16 << 20) + 10) + "\"}}").getBytes(StandardCharsets.US_ASCII);
        assertRejected(big);
        // a body of a million keys stays under the cap and must still get a clean answer
        StringBuilder keys = new StringBuilder("{\"properties\":{\"code\":\"1\"");
        for (int i = 0; i < 200_000; i++) {
            keys.append(",\"k").append(i).append("\":").append(i);
        }
        keys.append("},\"executionType\":42}");
        for (String route : JSON_ROUTES.subList(1, 2)) {
            assertAzureError(SERVER.get().post(route, "application/json", keys.toString().getBytes(StandardCharsets.US_ASCII)), 400);
        }
    }

    @Test
    void aDeclaredHugeBodyIsRefusedWithoutReadingIt() throws Exception {
        for (String route : JSON_ROUTES) {
            String method = route.startsWith("/management") ? "PUT" : "POST";
            var r = SERVER.get().exchange(method + " " + route + " HTTP/1.1\r\nHost: localhost\r\n" + SERVER.get().authorization()
                    + "Content-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n{\"properties\":");
            assertAzureError(r, 413);
        }
    }

    @Test
    void wrongTypesForEveryExecuteField() throws Exception {
        List<String> wrong = List.of("null", "42", "-1", "1.5", "true", "[]", "{}", "[\"1\"]", "{\"a\":1}", "\"\"",
                "\"Carrier\"", "1e30", "-9223372036854775809");
        for (String field : List.of("code", "codeInputType", "executionType", "timeoutInSeconds", "identifier",
                "pythonCode")) {
            for (String value : wrong) {
                var r = SERVER.get().post(JSON_ROUTES.get(0), "application/json",
                        ("{\"properties\":{\"code\":\"1\",\"" + field + "\":" + value + "}}").getBytes(StandardCharsets.UTF_8));
                if (r.status() != 200) {
                    assertAzureError(r, 400);
                }
            }
        }
        for (String field : List.of("code", "codeInputType", "executionType", "timeoutInSeconds", "shellCommand",
                "execCommandAndArgs", "stdin", "outputStreamsMaxLength", "returnJupyterFormatExecutionResult")) {
            for (String value : wrong) {
                var r = SERVER.get().post(JSON_ROUTES.get(1), "application/json",
                        ("{\"code\":\"1\",\"" + field + "\":" + value + "}").getBytes(StandardCharsets.UTF_8));
                if (r.status() >= 300) {
                    assertAzureError(r, 400);
                }
            }
        }
    }

    @Test
    void wrongTypesForEveryPoolField() throws Exception {
        List<String> paths = List.of("containerType", "scaleConfiguration", "scaleConfiguration.maxConcurrentSessions",
                "scaleConfiguration.readySessionInstances", "dynamicPoolConfiguration",
                "dynamicPoolConfiguration.executionType", "dynamicPoolConfiguration.cooldownPeriodInSeconds",
                "dynamicPoolConfiguration.lifecycleConfiguration",
                "dynamicPoolConfiguration.lifecycleConfiguration.lifecycleType",
                "dynamicPoolConfiguration.lifecycleConfiguration.cooldownPeriodInSeconds",
                "dynamicPoolConfiguration.lifecycleConfiguration.maxAlivePeriodInSeconds",
                "sessionNetworkConfiguration", "sessionNetworkConfiguration.status", "customContainerTemplate",
                "customContainerTemplate.containers", "secrets", "sandpoolConfiguration", "sandpoolConfiguration.cpu",
                "sandpoolConfiguration.memory", "sandpoolConfiguration.preload", "sandpoolConfiguration.egressAllowList");
        List<String> wrong = List.of("null", "-1", "1e30", "true", "[]", "{}", "[{}]", "\"\"", "\"x\"", "[null]");
        for (String path : paths) {
            for (String value : wrong) {
                // no ready sessions unless the case replaces that very setting, so that accepted cases stay cheap
                var body = (tools.jackson.databind.node.ObjectNode) dev.sandpool.testing.AzureClient.JSON.readTree(
                        "{\"properties\":{\"scaleConfiguration\":{\"maxConcurrentSessions\":1,\"readySessionInstances\":0}}}");
                tools.jackson.databind.node.ObjectNode parent = (tools.jackson.databind.node.ObjectNode) body.get("properties");
                String[] parts = path.split("\\.");
                for (int i = 0; i < parts.length - 1; i++) {
                    parent = parent.get(parts[i]) instanceof tools.jackson.databind.node.ObjectNode o ? o : parent.putObject(parts[i]);
                }
                parent.set(parts[parts.length - 1], dev.sandpool.testing.AzureClient.JSON.readTree(value));
                var r = SERVER.get().post(JSON_ROUTES.get(2).replace("json-hx7q-pool", "typed-pool"), "application/json",
                        body.toString().getBytes(StandardCharsets.UTF_8));
                if (r.status() >= 300) {
                    assertThat(r.status()).as(body.toString()).isEqualTo(400);
                    assertAzureError(r, 400);
                } else {
                    SERVER.get().client.send("DELETE", "/management/pools/typed-pool?api-version=2025-10-02-preview", null);
                }
            }
        }
    }
}
