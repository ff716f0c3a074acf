package dev.sandpool.proxy;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/**
 * Opens a TCP connection to the session's target port, wherever that port lives. The proxy never
 * knows where that is: in production the connection is opened inside the sandbox's network
 * namespace, in tests it is a loopback socket.
 */
@FunctionalInterface
public interface Dialer {
    /**
     * A connected socket. A {@link java.net.SocketTimeoutException} means the port did not accept
     * within {@code timeout} (the proxy answers 504); any other {@link IOException} means it cannot be
     * reached (502).
     */
    Socket connect(Duration timeout) throws IOException;
}
