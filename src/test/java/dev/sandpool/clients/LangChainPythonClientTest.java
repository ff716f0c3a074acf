package dev.sandpool.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandpool.config.ContainerType;
import dev.sandpool.config.DataSize;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.testing.TestingServer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Runs the real LangChain Python client, {@code SessionsPythonREPLTool} and {@code SessionsBashTool} from
 * {@code langchain_azure_dynamic_sessions} (github.com/langchain-ai/langchain-azure,
 * {@code libs/azure-dynamic-sessions}), against a real Sandpool server, through the driver script
 * {@code src/test/resources/clients/langchain-python/run_langchain_tools.py}.
 *
 * <p>Opt-in: the client's source cannot be vendored into this repository, so the test runs only when
 * {@code LANGCHAIN_AZURE_SRC} names a checkout of that repository, and is skipped otherwise. Its
 * dependencies ({@code langchain_core}, {@code azure.core}, {@code azure.identity}) are replaced by our
 * own minimal stubs in {@code clients/langchain-python/stubs}, so only {@code python3} with
 * {@code requests} and {@code pydantic} 2 is needed ({@code LANGCHAIN_PYTHON} may name another
 * interpreter). Run it with:
 *
 * <pre>LANGCHAIN_AZURE_SRC=/path/to/langchain-azure ./mvnw test -Dtest=LangChainPythonClientTest</pre>
 */
@EnabledIfEnvironmentVariable(named = "LANGCHAIN_AZURE_SRC", matches = ".+")
class LangChainPythonClientTest {
    private static final long TIMEOUT_SECONDS = 180;

    @Test
    void realLangChainToolsPassAgainstSandpool() throws Exception {
        URL resource = LangChainPythonClientTest.class.getResource("/clients/langchain-python/run_langchain_tools.py");
        assertThat(resource).as("driver script on the test classpath").isNotNull();
        assertThat(resource.getProtocol()).as("driver script must be a file, with its stubs beside it").isEqualTo("file");
        Path script = Path.of(resource.toURI());

        try (TestingServer server = TestingServer.start(TestingServer.pool("lcpy", 10, 1, 300),
                new PoolConfig("lcsh", ContainerType.Shell, 10, 1, 300, null, 1.0, DataSize.parse("256Mi"), List.of()))) {
            Path output = Files.createTempFile("langchain-python-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(
                        System.getenv().getOrDefault("LANGCHAIN_PYTHON", "python3"), "-u", script.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                Map<String, String> env = builder.environment();
                env.put("PYTHON_POOL_ENDPOINT", azureEndpoint(server, "lcpy"));
                env.put("SHELL_POOL_ENDPOINT", azureEndpoint(server, "lcsh"));
                env.put("SANDPOOL_API_KEY", server.server.apiKey().orElseThrow().key());
                env.put("PYTHONDONTWRITEBYTECODE", "1");
                env.put("NO_PROXY", "127.0.0.1,localhost");
                Process process = builder.start();
                boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!finished) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                System.out.println(text);
                assertThat(finished).as("driver finished within %d s; output:%n%s", TIMEOUT_SECONDS, text).isTrue();
                assertThat(process.exitValue()).as("driver exit code; output:%n%s", text).isZero();
                assertThat(text).contains(" 0 failed").doesNotContain("FAIL ");
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }

    /** The pool management endpoint as Azure shows it, which is what LangChain users configure. */
    private static String azureEndpoint(TestingServer server, String pool) {
        return server.server.baseUrl() + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandpool-rg"
                + "/sessionPools/" + pool;
    }
}
