package dev.sandpool.interpreter;

import dev.sandpool.config.ProbeConfig;
import dev.sandpool.sandbox.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * One check of a container's probe, made inside the session's network namespace: a TCP connect,
 * or an HTTP(S) GET whose status must be 200-399 (Kubernetes' rule). HTTPS does not verify the
 * certificate, as Kubernetes' probes do not: the container is the only party on that loopback.
 */
public final class ContainerProbe {
    private final ProbeConfig probe;
    private final int port;

    public ContainerProbe(ProbeConfig probe, int targetPort) {
        this.probe = probe;
        this.port = probe.port(targetPort);
    }

    public ProbeConfig config() {
        return probe;
    }

    /** Empty when the check passed, else why it failed. */
    public Optional<String> check(Sandbox sandbox) {
        Duration timeout = Duration.ofSeconds(probe.timeoutSeconds());
        try (Socket socket = sandbox.connect(port, timeout)) {
            if (probe.httpGet() == null) {
                return Optional.empty();
            }
            socket.setSoTimeout((int) timeout.toMillis());
            Socket channel = probe.httpGet().scheme() == ProbeConfig.Scheme.HTTPS ? Tls.wrap(socket, port) : socket;
            int status = get(channel);
            return status >= 200 && status < 400 ? Optional.empty()
                    : Optional.of("GET " + probe.httpGet().path() + " on port " + port + " answered " + status);
        } catch (IOException e) {
            return Optional.of((probe.httpGet() == null ? "TCP connect" : "GET " + probe.httpGet().path())
                    + " on port " + port + " failed: " + e.getMessage());
        }
    }

    private int get(Socket socket) throws IOException {
        ProbeConfig.HttpGet http = probe.httpGet();
        StringBuilder request = new StringBuilder("GET ").append(http.path()).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (ProbeConfig.Header header : http.httpHeaders()) {
            host |= header.name().equalsIgnoreCase("host");
            request.append(header.name()).append(": ").append(header.value()).append("\r\n");
        }
        if (!host) {
            request.append("Host: ").append(http.host() == null || http.host().isBlank() ? "localhost" : http.host())
                    .append(':').append(port).append("\r\n");
        }
        request.append("User-Agent: sandpool-probe\r\nConnection: close\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String line = statusLine(socket.getInputStream());
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP answer: '" + line + "'");
        }
        return Integer.parseInt(parts[1]);
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n' && line.length() < 1024) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Client TLS that accepts any certificate, for probes only. */
    private static final class Tls {
        private static final javax.net.ssl.SSLSocketFactory TRUST_ALL = create();

        static Socket wrap(Socket socket, int port) throws IOException {
            var tls = (javax.net.ssl.SSLSocket) TRUST_ALL.createSocket(socket, "localhost", port, true);
            tls.startHandshake();
            return tls;
        }

        private static javax.net.ssl.SSLSocketFactory create() {
            try {
                var context = javax.net.ssl.SSLContext.getInstance("TLS");
                context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                        return new java.security.cert.X509Certificate[0];
                    }
                }}, null);
                return context.getSocketFactory();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("no TLS in this JVM", e);
            }
        }
    }
}
