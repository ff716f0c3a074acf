package dev.sandpool.server;

import dev.sandpool.api.V1ExecuteRequest;
import dev.sandpool.api.V1ExecuteResponse;
import dev.sandpool.config.ExecutionConfig;
import dev.sandpool.interpreter.ExecutionRequest;
import dev.sandpool.interpreter.ExecutionResult;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;

/**
 * V1 {@code POST code/execute} (api-version 2024-02-02-preview and 2024-08-02-preview), and legacy
 * {@code python/execute}, whose identifier may be in the body and whose answer is flat.
 */
final class CodeExecuteService implements HttpService {
    private final PoolRequests requests;
    private final ExecutionConfig limits;

    CodeExecuteService(PoolRequests requests, ExecutionConfig limits) {
        this.requests = requests;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/code/execute", (req, res) -> Responses.json(res, Status.OK_200, V1ExecuteResponse.of(run(req))))
             .post("/python/execute", (req, res) -> Responses.json(res, Status.OK_200, V1ExecuteResponse.legacy(run(req))));
    }

    /** On a Shell pool, V1's {@code code} is a command for bash. */
    private ExecutionResult run(ServerRequest req) {
        var pool = requests.pool(req);
        V1ExecuteRequest body = V1ExecuteRequest.parse(PoolRequests.jsonBody(req));
        String identifier = requests.session(req, body.identifier()).key();
        int seconds = Math.min(body.timeoutInSeconds().orElse(limits.defaultTimeoutInSeconds()), limits.maxTimeoutInSeconds());
        Duration timeout = Duration.ofSeconds(seconds);
        long cap = limits.maxOutput().bytes();
        return pool.execute(identifier, pool.config().containerType() == dev.sandpool.config.ContainerType.Shell
                ? ExecutionRequest.shell(body.code(), null, null, timeout, cap)
                : new ExecutionRequest(body.code(), timeout, cap));
    }
}
