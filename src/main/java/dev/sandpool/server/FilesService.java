package dev.sandpool.server;

import dev.sandpool.api.ApiVersion;
import dev.sandpool.api.FileShapes;
import dev.sandpool.config.FilesConfig;
import dev.sandpool.files.MultipartReader;
import dev.sandpool.files.SessionFiles;
import dev.sandpool.files.SessionPath;
import dev.sandpool.sandbox.HeldDirectory;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Session files on every contract: V1 ({@code files/upload}, {@code files}, {@code files/content/{path}},
 * {@code files/{path}}), V2 ({@code files} with {@code path}/{@code recursive}, {@code files/{path}/content})
 * and legacy ({@code python/uploadFile}, {@code python/downloadFile}, {@code python/files}).
 * File paths in URLs are matched greedily and percent-decoded once.
 */
final class FilesService implements HttpService {
    private final PoolRequests requests;
    private final FilesConfig limits;

    FilesService(PoolRequests requests, FilesConfig limits) {
        this.requests = requests;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/files/upload", (req, res) -> upload(req, res, Shape.V1))
             .post("/files", (req, res) -> upload(req, res, Shape.V2))
             .post("/python/uploadFile", (req, res) -> upload(req, res, Shape.LEGACY))
             .get("/files", this::list)
             .get("/python/files", this::legacyList)
             .get("/python/downloadFile", (req, res) -> download(req, res,
                     SessionPath.parse(query(req, "filename").orElseThrow(() -> new ApiException(
                             Status.BAD_REQUEST_400, "InvalidRequest", "the query parameter 'filename' is required")))))
             .get("/files/{+path}", this::getFile)
             .delete("/files/{+path}", this::delete);
    }

    private enum Shape { V1, V2, LEGACY }

    /** What a request does with its session's files. */
    @FunctionalInterface
    private interface FilesCall<T> {
        T apply(SessionFiles files) throws IOException;
    }

    /** Runs {@code call} on the request's session's files, its /mnt/data held meanwhile. */
    private <T> T withFiles(ServerRequest req, FilesCall<T> call) throws IOException {
        String key = requests.session(req, Optional.empty()).key();
        try (HeldDirectory dir = requests.pool(req).openData(key)) {
            return call.apply(new SessionFiles(dir.path(), limits.sessionQuota().bytes()));
        }
    }

    private void legacyList(ServerRequest req, ServerResponse res) throws IOException {
        Responses.json(res, Status.OK_200, FileShapes.legacyList(withFiles(req, files -> files.list(SessionPath.root(), true))));
    }

    private static Optional<String> query(ServerRequest req, String name) {
        return QueryParams.first(req.query().rawValue(), name);
    }

    private static ApiVersion version(ServerRequest req) {
        return ApiVersion.of(query(req, "api-version").orElse(null));
    }

    /**
     * The part of the raw path after {@code /files/}, decoded once. The prologue keeps the path as
     * sent; {@code req.path()} inside a routed service is already decoded once.
     */
    private static String filePath(ServerRequest req) {
        String raw = req.prologue().uriPath().rawPath();
        String prefix = "/pools/" + req.path().pathParameters().get("pool") + "/files/";
        return QueryParams.decodePath(raw.substring(prefix.length()));
    }

    private void upload(ServerRequest req, ServerResponse res, Shape shape) throws IOException {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > limits.maxUploadSize().bytes() + 64 * 1024) {
            throw new ApiException(Status.REQUEST_ENTITY_TOO_LARGE_413, "PayloadTooLarge",
                    "the upload is larger than the maximum of " + limits.maxUploadSize().bytes() + " bytes");
        }
        withFiles(req, files -> {
            store(req, res, shape, files);
            return null;
        });
    }

    /** The upload's file part into the session's files, and the answer in the shape its route gives. */
    private void store(ServerRequest req, ServerResponse res, Shape shape, SessionFiles files) throws IOException {
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        try (InputStream body = req.content().inputStream()) {
            MultipartReader reader = MultipartReader.open(body, MultipartReader.boundaryOf(contentType));
            MultipartReader.Part part = reader.firstFilePart().orElseThrow(() -> new ApiException(
                    Status.BAD_REQUEST_400, "InvalidRequest", "the multipart body has no file part"));
            SessionPath directory = shape == Shape.V2 ? SessionPath.parse(query(req, "path").orElse("")) : SessionPath.root();
            String name = part.filename().filter(f -> !f.isBlank())
                    .orElse("upload-" + UUID.randomUUID().toString().substring(0, 8));
            SessionPath target = SessionPath.parse(name);
            if (shape == Shape.V2 && !name.startsWith("/")) {
                target = new SessionPath(concat(directory.components(), target.components()));
            }
            SessionFiles.Entry stored = files.write(target, part.content(), limits.maxUploadSize().bytes());
            drain(body);
            Responses.json(res, Status.OK_200, switch (shape) {
                case V1 -> FileShapes.v1List(List.of(stored));
                case V2 -> FileShapes.v2Entry(stored, null, "1");
                case LEGACY -> FileShapes.legacyList(List.of(stored));
            });
        } catch (MultipartReader.MultipartException e) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidMultipartBody", e.getMessage());
        }
    }

    /** Reads what is left (the closing boundary) so that the connection can be kept alive. */
    private static void drain(InputStream body) throws IOException {
        body.skip(Long.MAX_VALUE);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        withFiles(req, files -> {
            SessionPath directory = SessionPath.parse(query(req, "path").orElse(""));
            if (version(req) == ApiVersion.V1) {
                Responses.json(res, Status.OK_200, FileShapes.v1List(files.list(directory, true).stream()
                        .filter(e -> !e.directory()).toList()));
            } else {
                boolean recursive = query(req, "recursive").map(v -> v.equalsIgnoreCase("true")).orElse(false);
                Responses.json(res, Status.OK_200, FileShapes.v2List(files.list(directory, recursive), directory));
            }
            return null;
        });
    }

    private void getFile(ServerRequest req, ServerResponse res) throws IOException {
        String path = filePath(req);
        if (version(req) == ApiVersion.V1 && path.startsWith("content/")) {
            download(req, res, SessionPath.parse(path.substring("content/".length())));
        } else if (version(req) == ApiVersion.V2 && path.endsWith("/content")) {
            download(req, res, SessionPath.parse(path.substring(0, path.length() - "/content".length())));
        } else {
            SessionFiles.Entry entry = withFiles(req, files -> files.stat(SessionPath.parse(path)));
            Responses.json(res, Status.OK_200, version(req) == ApiVersion.V1
                    ? FileShapes.v1List(List.of(entry)) : FileShapes.v2Entry(entry, null, "1"));
        }
    }

    private void download(ServerRequest req, ServerResponse res, SessionPath path) throws IOException {
        withFiles(req, files -> {
            SessionFiles.Entry entry = files.stat(path);
            if (entry.directory()) {
                throw new java.nio.file.NoSuchFileException(path.relative());
            }
            try (InputStream in = files.read(path)) {
                res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
                res.contentLength(entry.size());
                try (OutputStream out = res.outputStream()) {
                    in.transferTo(out);
                }
            }
            return null;
        });
    }

    private void delete(ServerRequest req, ServerResponse res) throws IOException {
        SessionPath path = SessionPath.parse(filePath(req));
        if (!withFiles(req, files -> files.delete(path))) {
            throw new java.nio.file.NoSuchFileException(path.relative());
        }
        res.status(Status.NO_CONTENT_204).send();
    }
}
