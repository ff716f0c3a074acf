package dev.sandpool.server;

import dev.sandpool.pool.PoolManager;
import dev.sandpool.pool.SessionPool;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** What every data-plane handler needs from a request: its pool, its identifier, its JSON body. */
final class PoolRequests {
    static final int MAX_JSON_BODY = 16 << 20;
    private final PoolManager pools;
    private final boolean binding;

    PoolRequests(PoolManager pools, boolean binding) {
        this.pools = pools;
        this.binding = binding;
    }

    /** The session a request names, validated, and bound to the caller when binding is on. */
    SessionRef session(ServerRequest req, java.util.Optional<String> fromBody) {
        String identifier = dev.sandpool.pool.Identifiers.validate(identifier(req, fromBody));
        String owner = owner(req);
        return new SessionRef(identifier, owner == null ? identifier : owner + " " + identifier);
    }

    /** The caller's owner tag when sessions are bound to callers, else null. */
    String owner(ServerRequest req) {
        return binding ? req.context().get(dev.sandpool.auth.Principal.class)
                .map(dev.sandpool.auth.Principal::owner).orElse("anonymous") : null;
    }

    java.util.Optional<SessionPool> findPool(ServerRequest req) {
        return pools.pool(req.path().pathParameters().get("pool"));
    }

    SessionPool pool(ServerRequest req) {
        String name = req.path().pathParameters().get("pool");
        return pools.pool(name).orElseThrow(() -> new ApiException(Status.NOT_FOUND_404, "SessionPoolNotFound",
                "session pool '" + name + "' does not exist on this server"));
    }

    /** The identifier from the query, else from the body (legacy callers put it there). */
    static String identifier(ServerRequest req, java.util.Optional<String> fromBody) {
        return QueryParams.first(req.query().rawValue(), "identifier").filter(s -> !s.isEmpty())
                .or(() -> fromBody)
                .orElseThrow(() -> new ApiException(Status.BAD_REQUEST_400, "InvalidIdentifier",
                        "the query parameter 'identifier' is required"));
    }

    static JsonNode jsonBody(ServerRequest req) {
        long declared = req.headers().contains(io.helidon.http.HeaderNames.TRANSFER_ENCODING)
                ? -1 : req.headers().contentLength().orElse(-1L);
        if (declared > MAX_JSON_BODY) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            // a declared length is read as it is: reading up to the limit starts with a 16 KiB
            // buffer, which was a third of the garbage of every execution
            body = in.readNBytes(declared >= 0 ? (int) declared : MAX_JSON_BODY + 1);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidRequestBody", "the request body could not be read");
        }
        if (body.length > MAX_JSON_BODY) {
            throw tooLarge();
        }
        if (body.length == 0) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidRequestBody", "the request body is empty; JSON expected");
        }
        try {
            JsonNode node = Responses.JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(Status.BAD_REQUEST_400, "InvalidRequestBody", "the request body must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidRequestBody",
                    "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, "RequestBodyTooLarge",
                "the JSON body exceeds " + (MAX_JSON_BODY >> 20) + " MiB");
    }
}
