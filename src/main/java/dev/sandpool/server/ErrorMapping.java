package dev.sandpool.server;

import dev.sandpool.api.InvalidRequestException;
import dev.sandpool.pool.InvalidIdentifierException;
import dev.sandpool.pool.PoolFullException;
import dev.sandpool.pool.SessionStartException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Domain exceptions to Azure-shaped HTTP errors; anything unexpected becomes a 500, never a crash. */
final class ErrorMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {}

    static void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, (req, res, e) -> Responses.error(res, e.status(), e.code(), e.getMessage()))
                .error(InvalidIdentifierException.class, (req, res, e) ->
                        Responses.error(res, Status.BAD_REQUEST_400, "InvalidIdentifier", e.getMessage()))
                .error(InvalidRequestException.class, (req, res, e) ->
                        Responses.error(res, Status.BAD_REQUEST_400, "InvalidRequestBody", e.getMessage()))
                // Azure documents 404 for a new identifier on a full pool
                .error(PoolFullException.class, (req, res, e) ->
                        Responses.error(res, Status.NOT_FOUND_404, "SessionPoolFull", e.getMessage()))
                .error(SessionStartException.class, (req, res, e) -> {
                    LOG.error("session start failed", e);
                    Responses.error(res, Status.SERVICE_UNAVAILABLE_503, "SessionStartFailed", e.getMessage());
                })
                .error(RuntimeException.class, (req, res, e) -> {
                    LOG.error("unexpected error on {} {}", req.prologue().method(), req.path().rawPath(), e);
                    Responses.error(res, Status.INTERNAL_SERVER_ERROR_500, "InternalServerError",
                            "the server failed to handle this request; see the server log");
                });
    }
}
