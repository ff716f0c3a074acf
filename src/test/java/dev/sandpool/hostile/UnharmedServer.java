package dev.sandpool.hostile;

import static org.awaitility.Awaitility.await;

import dev.sandpool.config.ConnectionTimeouts;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link HostileServer} for a test class ({@code @RegisterExtension static}), checked unharmed
 * after every test and removed after the last.
 */
final class UnharmedServer implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final ConnectionTimeouts timeouts;
    private HostileServer server;

    UnharmedServer() {
        this(ConnectionTimeouts.defaults());
    }

    UnharmedServer(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    HostileServer get() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = HostileServer.start(timeouts);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // with a short idle timeout the server may close the test client's pooled connection just as it
        // is reused: only such I/O failures are retried, never a failed check
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .untilAsserted(server::assertUnharmed);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }
}
