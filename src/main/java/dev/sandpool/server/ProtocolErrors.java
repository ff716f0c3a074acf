package dev.sandpool.server;

import dev.sandpool.api.ApiError;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Azure's error shape for the requests Helidon rejects before routing (a broken request line,
 * header block or framing, an oversized header block), so that every client sees one error format.
 * The message is what Helidon passes (the status's reason phrase unless Helidon marks its own text
 * safe to show).
 */
final class ProtocolErrors implements DirectHandler {
    private ProtocolErrors() {}

    static DirectHandlers handlers() {
        ProtocolErrors handler = new ProtocolErrors();
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                    ServerResponseHeaders headers, String message) {
        if (type == EventType.INTERNAL_ERROR && request.method().isEmpty()) {
            // Helidon 4.5 reports a request line it cannot parse (a control character in the method) as its own failure
            status = Status.BAD_REQUEST_400;
            message = "the request line could not be parsed";
        }
        String code = code(status);
        byte[] body = Responses.JSON.writeValueAsBytes(ApiError.of(code,
                message == null || message.isBlank() ? status.reasonPhrase() : message));
        headers.set(HeaderNames.CONTENT_TYPE, Responses.JSON_TYPE);
        headers.set(HeaderNames.create("x-ms-error-code"), code);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(type.keepAlive())
                .entity(body)
                .build();
    }

    private static String code(Status status) {
        return switch (status.code()) {
            case 400 -> "BadRequest";
            case 403 -> "Forbidden";
            case 408 -> "RequestTimeout";
            case 413 -> "PayloadTooLarge";
            case 414 -> "UriTooLong";
            case 431 -> "RequestHeaderFieldsTooLarge";
            case 505 -> "HttpVersionNotSupported";
            default -> status.code() >= 500 ? "InternalServerError" : "BadRequest";
        };
    }
}
