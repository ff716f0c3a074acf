package dev.sandpool.server;

import dev.sandpool.api.V2Execution;
import dev.sandpool.api.V2ExecutionRequest;
import dev.sandpool.config.ContainerType;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.interpreter.ExecutionRequest;
import dev.sandpool.interpreter.ExecutionResult;
import dev.sandpool.pool.SessionPool;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * V2 {@code POST executions} (synchronous, or asynchronous with {@code Operation-Location}) and
 * {@code GET executions/{id}}. Azure answers 202 even for synchronous executions; so does this.
 */
final class ExecutionsService implements HttpService {
    private static final int KEPT_EXECUTIONS = 1000;
    private final PoolRequests requests;
    private final ExecutionConfig limits;
    private final Map<String, Tracked> executions = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Tracked> eldest) {
                    return size() > KEPT_EXECUTIONS;
                }
            });

    /** An execution kept for polling; ids are scoped by pool and identifier. */
    private record Tracked(String pool, String identifier, String key, String executionType, boolean shell, boolean stringify,
                           boolean jupyter, Integer maxLength, CompletableFuture<ExecutionResult> result) {}

    ExecutionsService(PoolRequests requests, ExecutionConfig limits) {
        this.requests = requests;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/executions", this::execute).get("/executions/{id}", this::poll);
    }

    private void execute(ServerRequest req, ServerResponse res) throws Exception {
        SessionPool pool = requests.pool(req);
        boolean shell = pool.config().containerType() == ContainerType.Shell;
        V2ExecutionRequest body = V2ExecutionRequest.parse(PoolRequests.jsonBody(req), pool.config().containerType());
        SessionRef ref = requests.session(req, Optional.empty());
        String identifier = ref.identifier();
        String key = ref.key();
        String id = req.headers().first(HeaderNames.create("operation-id")).filter(s -> !s.isBlank())
                .orElse(UUID.randomUUID().toString());
        int seconds = Math.min(body.timeoutInSeconds().orElse(limits.defaultTimeoutInSeconds()), limits.maxTimeoutInSeconds());
        Duration timeout = Duration.ofSeconds(seconds);
        long cap = limits.maxOutput().bytes();
        ExecutionRequest request = shell
                ? ExecutionRequest.shell(body.code(), body.argv(), body.stdin(), timeout, cap)
                : new ExecutionRequest(body.code(), timeout, cap);
        boolean stringify = limits.stringifyExecutionResult()
                || req.headers().first(HeaderNames.USER_AGENT).orElse("").startsWith("Semantic-Kernel/");
        String executionType = body.executionTypeAsSent().orElse(shell ? null : "Synchronous");
        pool.acquire(key); // allocation errors (pool full) are answered now, not when polled
        Tracked tracked = new Tracked(pool.name(), identifier, key, executionType, shell, stringify, body.jupyterFormat(),
                body.outputStreamsMaxLength().orElse(null), new CompletableFuture<>());
        res.header(HeaderNames.create("operation-id"), id);
        if (body.asynchronous()) {
            executions.put(key(pool.name(), id), tracked);
            Thread.ofVirtual().name("execution-" + id).start(() -> complete(tracked, pool, key, request));
            // inside a service, req.path() is relative to it; the client needs the path it called
            res.header(HeaderNames.create("Operation-Location"), req.requestedUri().path().rawPath() + "/" + id
                    + "?api-version=" + QueryParams.first(req.query().rawValue(), "api-version").orElse("2025-02-02-preview")
                    + "&identifier=" + AzureQuery.encode(identifier));
            Responses.json(res, Status.ACCEPTED_202, render(id, tracked, null));
        } else {
            ExecutionResult result = pool.execute(key, request);
            tracked.result().complete(result);
            executions.put(key(pool.name(), id), tracked);
            Responses.json(res, Status.ACCEPTED_202, render(id, tracked, result));
        }
    }

    private static void complete(Tracked tracked, SessionPool pool, String identifier, ExecutionRequest request) {
        try {
            tracked.result().complete(pool.execute(identifier, request));
        } catch (RuntimeException e) {
            tracked.result().complete(ExecutionResult.lost("", "ExecutionFailed: " + e.getMessage() + "\n", 0,
                    ExecutionResult.Loss.DIED));
        }
    }

    private void poll(ServerRequest req, ServerResponse res) {
        SessionPool pool = requests.pool(req);
        SessionRef ref = requests.session(req, Optional.empty());
        String id = req.path().pathParameters().get("id");
        Tracked tracked = executions.get(key(pool.name(), id));
        if (tracked == null || !tracked.key().equals(ref.key())) {
            throw new ApiException(Status.NOT_FOUND_404, "ExecutionNotFound",
                    "404: no execution '" + id + "' for this identifier in pool '" + pool.name() + "'");
        }
        Responses.json(res, Status.OK_200, render(id, tracked, tracked.result().getNow(null)));
    }

    private static Map<String, Object> render(String id, Tracked t, ExecutionResult result) {
        return V2Execution.of(id, t.identifier(), t.executionType(), result, t.shell(), t.stringify(), t.jupyter(), t.maxLength());
    }

    private static String key(String pool, String id) {
        return pool + "\n" + id;
    }
}
