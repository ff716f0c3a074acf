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

    public Response deleteSession(String pool, String identifier) {
        return send("DELETE", "/pools/" + pool + "/session?identifier=" + encode(identifier)
                + "&api-version=2025-10-02-preview", null);
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
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
