package dev.sandpool.hostile;

import dev.sandpool.config.ConnectionTimeouts;
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
        server.assertUnharmed();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }
}
