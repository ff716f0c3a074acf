package dev.sandpool.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.Map;

/** Liveness and readiness probes, open without a token. */
final class HealthService implements HttpService {
    private final dev.sandpool.observability.Readiness readiness;

    HealthService(dev.sandpool.observability.Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/healthz", (req, res) -> Responses.json(res, Status.OK_200, Map.of("status", "ok")))
             .get("/readyz", (req, res) -> {
                 var report = readiness.check();
                 Responses.json(res, report.ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, report.body());
             });
    }
}
