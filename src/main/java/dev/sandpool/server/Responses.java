package dev.sandpool.server;

import dev.sandpool.api.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Writing JSON and errors the way Azure's data plane does. */
final class Responses {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String JSON_TYPE = "application/json; charset=utf-8";

    private Responses() {}

    static void json(ServerResponse res, Status status, Object body) {
        byte[] bytes = JSON.writeValueAsBytes(body);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON_TYPE);
        res.send(bytes);
    }

    static void error(ServerResponse res, Status status, String code, String message) {
        res.header("x-ms-error-code", code);
        json(res, status, ApiError.of(code, message));
    }
}
