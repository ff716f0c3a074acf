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

/** V1 {@code POST code/execute} (api-version 2024-02-02-preview and 2024-08-02-preview). */
final class CodeExecuteService implements HttpService {
    private final PoolRequests requests;
    private final ExecutionConfig limits;

    CodeExecuteService(PoolRequests requests, ExecutionConfig limits) {
        this.requests = requests;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/code/execute", this::execute);
    }

    private void execute(ServerRequest req, ServerResponse res) {
        var pool = requests.pool(req);
        V1ExecuteRequest body = V1ExecuteRequest.parse(PoolRequests.jsonBody(req));
        String identifier = PoolRequests.identifier(req, body.identifier());
        int seconds = Math.min(body.timeoutInSeconds().orElse(limits.defaultTimeoutInSeconds()), limits.maxTimeoutInSeconds());
        ExecutionResult result = pool.execute(identifier,
                new ExecutionRequest(body.code(), Duration.ofSeconds(seconds), limits.maxOutput().bytes()));
        Responses.json(res, Status.OK_200, V1ExecuteResponse.of(result));
    }
}
