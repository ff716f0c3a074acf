package dev.sandpool.proxy;

import dev.sandpool.api.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Azure's error shape ({@code {"error":{"code","message"}}} plus {@code x-ms-error-code}) for the
 * proxy's own answers; the same as {@code dev.sandpool.server.Responses.error}, which is not visible
 * from this package.
 */
final class ProxyErrors {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ProxyErrors() {}

    static void badGateway(ServerResponse res, String message) {
        write(res, Status.BAD_GATEWAY_502, "BadGateway", message);
    }

    static void gatewayTimeout(ServerResponse res, String message) {
        write(res, Status.GATEWAY_TIMEOUT_504, "GatewayTimeout", message);
    }

    static void write(ServerResponse res, Status status, String code, String message) {
        res.status(status);
        res.header("x-ms-error-code", code);
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.send(JSON.writeValueAsBytes(ApiError.of(code, message)));
    }
}
