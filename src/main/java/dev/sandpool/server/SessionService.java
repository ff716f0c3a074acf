package dev.sandpool.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code DELETE session} (any api-version): ends the identifier's session. Deleting an identifier
 * that has no session also answers 204, since the caller's goal (no such session) holds; LangChain
 * calls this from a background thread and only logs errors.
 */
final class SessionService implements HttpService {
    private final PoolRequests requests;

    SessionService(PoolRequests requests) {
        this.requests = requests;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.delete("/session", this::delete);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        var pool = requests.pool(req);
        String identifier = dev.sandpool.pool.Identifiers.validate(PoolRequests.identifier(req, java.util.Optional.empty()));
        pool.delete(identifier);
        res.status(Status.NO_CONTENT_204).send();
    }
}
