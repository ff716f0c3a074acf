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
                    if (dev.sandpool.files.InsufficientStorageException.isNoSpace(e)) {
                        // the new session's disk could not be made: the server's disk is full
                        insufficientStorage(res, new java.io.IOException("the server's disk is full: " + e.getMessage(), e));
                        return;
                    }
                    LOG.error("session start failed", e);
                    Responses.error(res, Status.SERVICE_UNAVAILABLE_503, "SessionStartFailed", e.getMessage());
                })
                .error(java.nio.file.NoSuchFileException.class, (req, res, e) -> Responses.error(res,
                        Status.NOT_FOUND_404, "FileNotFound", "404: no file '" + e.getFile() + "' in /mnt/data"))
                .error(dev.sandpool.files.SessionPath.InvalidPathException.class, (req, res, e) ->
                        Responses.error(res, Status.BAD_REQUEST_400, "InvalidPath", e.getMessage()))
                .error(dev.sandpool.files.FileTooLargeException.class, (req, res, e) ->
                        Responses.error(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "PayloadTooLarge", e.getMessage()))
                .error(dev.sandpool.files.QuotaExceededException.class, (req, res, e) ->
                        Responses.error(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "SessionQuotaExceeded", e.getMessage()))
                .error(java.nio.file.FileAlreadyExistsException.class, (req, res, e) ->
                        Responses.error(res, Status.CONFLICT_409, "PathConflict", e.getMessage()))
                // a condition of the server's disk, not of the request: 507 (RFC 4918), which no client retries
                .error(dev.sandpool.files.InsufficientStorageException.class, (req, res, e) -> insufficientStorage(res, e))
                .error(dev.sandpool.store.StoreFullException.class, (req, res, e) -> insufficientStorage(res, e))
                .error(dev.sandpool.store.StoreBusyException.class, (req, res, e) -> {
                    LOG.warn("database locked on {} {}: {}", req.prologue().method(), req.path().rawPath(), e.getMessage());
                    res.header("Retry-After", "5");
                    Responses.error(res, Status.SERVICE_UNAVAILABLE_503, "DatabaseLocked", e.getMessage());
                })
                .error(java.io.IOException.class, (req, res, e) -> {
                    if (dev.sandpool.files.InsufficientStorageException.isNoSpace(e)) {
                        insufficientStorage(res, new dev.sandpool.files.InsufficientStorageException(
                                "the server's disk is full: " + e.getMessage(), e));
                        return;
                    }
                    LOG.warn("I/O error on {} {}: {}", req.prologue().method(), req.path().rawPath(), e.toString());
                    Responses.error(res, Status.BAD_REQUEST_400, "RequestFailed", "the request could not be completed: " + e.getMessage());
                })
                .error(RuntimeException.class, (req, res, e) -> {
                    LOG.error("unexpected error on {} {}", req.prologue().method(), req.path().rawPath(), e);
                    Responses.error(res, Status.INTERNAL_SERVER_ERROR_500, "InternalServerError",
                            "the server failed to handle this request; see the server log");
                });
    }

    private static void insufficientStorage(io.helidon.webserver.http.ServerResponse res, Exception e) {
        LOG.warn("disk full: {}", e.getMessage());
        Responses.error(res, Status.INSUFFICIENT_STORAGE_507, "InsufficientStorage", e.getMessage());
    }
}
