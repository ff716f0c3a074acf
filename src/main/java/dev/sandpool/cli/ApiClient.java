package dev.sandpool.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * HTTP to one Sandpool server: the bearer key, and Azure's error shape turned into
 * {@link CliException}s. The key is only ever put in the Authorization header.
 */
final class ApiClient implements AutoCloseable {
    /** The data-plane contract for code and files: every Azure client speaks V1, and its shapes are the simplest. */
    static final String V1 = "2024-02-02-preview";
    /** Shell pools' {@code shellCommand} and {@code stopSession} exist only on V2. */
    static final String V2 = "2025-10-02-preview";
    private static final String USER_AGENT = "sandpool-cli/0.1.0";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String base;
    private final Optional<String> key;

    ApiClient(String server, Optional<String> key, Optional<SSLContext> tls) {
        this.base = server.replaceAll("/+$", "");
        this.key = key;
        // HTTP/1.1: the JDK's h2c upgrade attempt buys nothing against a local server.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        tls.ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    String base() {
        return base;
    }

    record Response(int status, HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            if (body.length == 0) {
                return Output.JSON.missingNode();
            }
            try {
                return Output.JSON.readTree(body);
            } catch (JacksonException e) {
                throw new CliException("InvalidResponse", "the server answered " + status + " with a body that is not JSON: "
                        + abbreviate(text()), CliException.FAILED);
            }
        }
    }

    /** A JSON request (or none when {@code body} is null); the answer's JSON. */
    JsonNode json(String method, String pathAndQuery, JsonNode body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString());
        return send(method, pathAndQuery, publisher, body == null ? null : "application/json", DEFAULT_TIMEOUT).json();
    }

    /** Sends a request and returns a 2xx answer whole; anything else becomes a {@link CliException}. */
    Response send(String method, String pathAndQuery, HttpRequest.BodyPublisher body, String contentType, Duration timeout) {
        HttpResponse<byte[]> response = exchange(request(method, pathAndQuery, body, contentType, timeout),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), response.headers(), response.body());
        }
        return new Response(response.statusCode(), response.headers(), response.body());
    }

    /** A GET whose 2xx body is streamed (downloads can be large); errors are read whole. */
    InputStream download(String pathAndQuery, Duration timeout) {
        HttpResponse<InputStream> response = exchange(request("GET", pathAndQuery, HttpRequest.BodyPublishers.noBody(),
                null, timeout), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw error(response.statusCode(), response.headers(), body);
        }
        return response.body();
    }

    private HttpRequest request(String method, String pathAndQuery, HttpRequest.BodyPublisher body, String contentType,
                                Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .method(method, body)
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json");
        if (timeout != null) {
            request.timeout(timeout);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        return request.build();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException("ConnectionFailed", "cannot connect to " + base + ": timed out", CliException.FAILED);
        } catch (HttpTimeoutException e) {
            throw new CliException("Timeout", "no answer from " + base + " in time", CliException.FAILED);
        } catch (ConnectException e) {
            throw new CliException("ConnectionFailed", "cannot connect to " + base
                    + " (is the server running? set --server or SANDPOOL_SERVER)", CliException.FAILED);
        } catch (SSLException e) {
            throw new CliException("TlsFailed", "TLS with " + base + " failed: " + e.getMessage()
                    + " (for a self-signed server certificate, pass it with --cacert FILE)", CliException.FAILED);
        } catch (IOException e) {
            throw new CliException("ConnectionFailed", "request to " + base + " failed: " + e, CliException.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted", "interrupted", CliException.FAILED);
        }
    }

    /** Azure's {@code {"error":{"code","message"}}}, else {@code x-ms-error-code}, else the status and body text. */
    static CliException error(int status, HttpHeaders headers, byte[] body) {
        String code = headers.firstValue("x-ms-error-code").orElse("HTTP" + status);
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String message = text.isEmpty() ? "the server answered HTTP " + status : abbreviate(text);
        try {
            JsonNode error = Output.JSON.readTree(body).path("error");
            if (error.path("code").isString()) {
                code = error.path("code").asString();
            }
            if (error.path("message").isString()) {
                message = error.path("message").asString();
            }
        } catch (JacksonException e) {
            // not JSON: the text itself is the best message there is
        }
        return new CliException(code, message + " (HTTP " + status + ")", CliException.FAILED);
    }

    private static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    @Override
    public void close() {
        http.close();
    }
}
