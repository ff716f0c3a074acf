package dev.sandpool.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Sends requests the way Azure's clients do, and returns what they would read. */
public final class AzureClient {
    public static final ObjectMapper JSON = JsonMapper.builder().build();
    public static final String V1 = "2024-02-02-preview";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final String apiKey;

    public AzureClient(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    public record Response(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        /** V1's {@code properties} object. */
        public JsonNode properties() {
            return json().path("properties");
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** V1 execute as LangChain Python sends it. */
    public Response execute(String pool, String identifier, String code) {
        return execute(pool, identifier, code, null);
    }

    public Response execute(String pool, String identifier, String code, Integer timeoutInSeconds) {
        ObjectNode props = JSON.createObjectNode().put("codeInputType", "inline").put("executionType", "synchronous")
                .put("code", code);
        if (timeoutInSeconds != null) {
            props.put("timeoutInSeconds", timeoutInSeconds);
        }
        String body = JSON.createObjectNode().set("properties", props).toString();
        return send("POST", "/pools/" + pool + "/code/execute?identifier=" + encode(identifier) + "&api-version=" + V1, body);
    }

    /** V1 execute, answered as the raw bytes of the body, to check what a client's JSON parser would get. */
    public HttpResponse<byte[]> executeRaw(String pool, String identifier, String code, int timeoutInSeconds) {
        ObjectNode props = JSON.createObjectNode().put("codeInputType", "inline").put("executionType", "synchronous")
                .put("code", code).put("timeoutInSeconds", timeoutInSeconds);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/pools/" + pool
                        + "/code/execute?identifier=" + encode(identifier) + "&api-version=" + V1))
                .timeout(Duration.ofSeconds(300))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().set("properties", props).toString()))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return exchange(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public Response deleteSession(String pool, String identifier) {
        return send("DELETE", "/pools/" + pool + "/session?identifier=" + encode(identifier)
                + "&api-version=2025-10-02-preview", null);
    }

    /** A multipart upload with one part, as the given client would build it; {@code partHeaders} follow Content-Disposition. */
    public Response upload(String pathAndQuery, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return sendRaw(request.build());
    }

    public static byte[] multipart(String boundary, String disposition, String partType, byte[] content) {
        var out = new java.io.ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\n"
                + (partType == null ? "" : "Content-Type: " + partType + "\r\n") + "\r\n";
        out.writeBytes(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** GET returning raw bytes. */
    public HttpResponse<byte[]> download(String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(120));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return exchange(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Response sendRaw(HttpRequest request) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JSON request with one extra header. */
    public Response sendWithHeaders(String method, String pathAndQuery, String jsonBody, String header, String value) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(120))
                .method(method, HttpRequest.BodyPublishers.ofString(jsonBody))
                .header("Content-Type", "application/json")
                .header(header, value);
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return sendRaw(request.build());
    }

    /** Any request, with the server's key. */
    public Response send(String method, String pathAndQuery, String jsonBody) {
        return send(method, pathAndQuery, jsonBody, apiKey);
    }

    public Response send(String method, String pathAndQuery, String jsonBody, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(120))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return sendRaw(request.build());
    }

    public static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
