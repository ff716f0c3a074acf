package dev.sandpool.server;

import dev.sandpool.api.FileShapes;
import dev.sandpool.pool.Session;
import dev.sandpool.pool.SessionPool;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Session management on the data plane: {@code GET/DELETE session}, {@code GET listSessions},
 * {@code POST .management/stopSession} and the pool's {@code GET metadata}. Reading a session that
 * does not exist does not allocate one.
 */
final class SessionService implements HttpService {
    private static final int PAGE = 100;
    private final PoolRequests requests;
    private final PoolMetadata metadata;

    SessionService(PoolRequests requests, PoolMetadata metadata) {
        this.requests = requests;
        this.metadata = metadata;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.delete("/session", this::delete)
             .get("/session", this::get)
             .get("/listSessions", this::list)
             .get("/metadata", (req, res) -> Responses.json(res, Status.OK_200, metadata.of(requests.pool(req))))
             .post("/.management/stopSession", this::stop);
    }

    private SessionRef ref(ServerRequest req) {
        return requests.session(req, Optional.empty());
    }

    /** Deleting an identifier without a session also answers 204: the caller's goal holds. */
    private void delete(ServerRequest req, ServerResponse res) {
        requests.pool(req).delete(ref(req).key());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void get(ServerRequest req, ServerResponse res) {
        SessionPool pool = requests.pool(req);
        Session session = pool.find(ref(req).key()).orElseThrow(() -> notFound(pool));
        Responses.json(res, Status.OK_200, describe(pool, session));
    }

    private void list(ServerRequest req, ServerResponse res) {
        SessionPool pool = requests.pool(req);
        int skip = QueryParams.first(req.query().rawValue(), "skip").map(SessionService::nonNegative).orElse(0);
        String owner = requests.owner(req);
        List<Session> all = pool.sessions().stream().filter(s -> SessionRef.ownedBy(s.identifier(), owner))
                .sorted(Comparator.comparing(Session::createdAt)).toList();
        List<Map<String, Object>> page = all.stream().skip(skip).limit(PAGE).map(s -> describe(pool, s)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sessions", page);
        body.put("nextLink", skip + PAGE < all.size()
                ? req.path().rawPath() + "?api-version=2025-02-02-preview&skip=" + (skip + PAGE) : null);
        Responses.json(res, Status.OK_200, body);
    }

    private void stop(ServerRequest req, ServerResponse res) {
        SessionPool pool = requests.pool(req);
        SessionRef ref = ref(req);
        String identifier = ref.identifier();
        if (!pool.delete(ref.key())) {
            throw notFound(pool);
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(("Session " + identifier + " in session pool " + pool.name() + " stopped.").getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> describe(SessionPool pool, Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("identifier", SessionRef.identifierOf(session.identifier()));
        body.put("createdAt", FileShapes.time(session.createdAt()));
        body.put("lastAccessedAt", FileShapes.time(session.lastAccessedAt()));
        body.put("expireAt", FileShapes.time(session.lastAccessedAt().plusSeconds(pool.config().cooldownPeriodInSeconds())));
        body.put("etag", session.etag());
        return body;
    }

    private static ApiException notFound(SessionPool pool) {
        return new ApiException(Status.NOT_FOUND_404, "SessionNotFound",
                "404: no session with this identifier in pool '" + pool.name() + "'");
    }

    private static int nonNegative(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(Status.BAD_REQUEST_400, "InvalidRequest", "skip must be a whole number, at least 0");
    }
}
