package dev.sandpool.server;

import dev.sandpool.api.PoolResource;
import dev.sandpool.config.PoolConfig;
import dev.sandpool.pool.PoolFactory;
import dev.sandpool.pool.PoolManager;
import dev.sandpool.pool.SessionPool;
import dev.sandpool.store.PoolStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /management/pools[/{name}]}: pools as ARM {@code Microsoft.App/sessionPools} resources.
 * Pools created here are stored in SQLite and come back after a restart; pools from the config
 * file are shown but can only be changed in the file.
 */
final class ManagementService implements HttpService {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,61}[a-z0-9]");
    private final PoolManager pools;
    private final PoolFactory factory;
    private final PoolStore store;
    private final Set<String> fromConfigFile;
    private final java.nio.file.Path secretsDir;

    ManagementService(PoolManager pools, PoolFactory factory, PoolStore store, Set<String> fromConfigFile,
                      java.nio.file.Path secretsDir) {
        this.secretsDir = secretsDir;
        this.pools = pools;
        this.factory = factory;
        this.store = store;
        this.fromConfigFile = Set.copyOf(fromConfigFile);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
             .get("/{name}", (req, res) -> Responses.json(res, Status.OK_200, describe(req, existing(req))))
             .put("/{name}", this::put)
             .patch("/{name}", this::patch)
             .delete("/{name}", this::delete)
             .get("/{name}/sessions", this::sessions)
             .get("/{name}/sessions/{session}/console", this::console);
    }

    /** The pool's sessions for an operator: sandbox id (the etag), hashed identifier, times; never an identifier. */
    private void sessions(ServerRequest req, ServerResponse res) {
        SessionPool pool = existing(req);
        var value = pool.sessions().stream().map(s -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("etag", s.etag());
            entry.put("identifierHash", dev.sandpool.observability.IdentifierHash.of(pool.name(), s.identifier()));
            entry.put("createdAt", dev.sandpool.api.FileShapes.time(s.createdAt()));
            entry.put("lastAccessedAt", dev.sandpool.api.FileShapes.time(s.lastAccessedAt()));
            return entry;
        }).toList();
        Responses.json(res, Status.OK_200, Map.of("value", value));
    }

    /** A session's console output (all of a custom container's stdout and stderr), newest last, capped. */
    private void console(ServerRequest req, ServerResponse res) throws java.io.IOException {
        SessionPool pool = existing(req);
        String etag = req.path().pathParameters().get("session");
        var sandbox = pool.sandboxByEtag(etag).orElseThrow(() -> new ApiException(Status.NOT_FOUND_404, "SessionNotFound",
                "404: no session with etag '" + etag + "' in pool '" + pool.name() + "'"));
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(sandbox.console());
    }

    private void list(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("value", pools.pools().stream().map(p -> describe(req, p)).toList());
        body.put("nextLink", null);
        Responses.json(res, Status.OK_200, body);
    }

    /** Creates (201) or replaces (200) a pool; the body is the whole resource, missing values take defaults. */
    private synchronized void put(ServerRequest req, ServerResponse res) {
        String name = name(req);
        PoolConfig wanted = PoolResource.read(name, PoolRequests.jsonBody(req), PoolConfig.named(name), secrets(name));
        var current = pools.pool(name);
        if (current.isPresent()) {
            guardConfigFile(name);
            replace(current.get(), wanted);
            Responses.json(res, Status.OK_200, describe(req, current.get()));
            return;
        }
        store.save(wanted);
        SessionPool pool = factory.create(wanted);
        if (!pools.add(pool)) {
            pool.close();
            throw new ApiException(Status.CONFLICT_409, "Conflict", "pool '" + name + "' was created concurrently");
        }
        Responses.json(res, Status.CREATED_201, describe(req, pool));
    }

    /** A merge patch of the properties; allocated sessions keep running whatever changes. */
    private synchronized void patch(ServerRequest req, ServerResponse res) {
        SessionPool pool = existing(req);
        guardConfigFile(pool.name());
        replace(pool, PoolResource.read(pool.name(), PoolRequests.jsonBody(req), pool.config(), secrets(pool.name())));
        Responses.json(res, Status.OK_200, describe(req, pool));
    }

    private void replace(SessionPool pool, PoolConfig wanted) {
        if (wanted.containerType() != pool.config().containerType()) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidPoolConfiguration",
                    "properties.containerType cannot change after creation (it is " + pool.config().containerType() + ")");
        }
        store.save(wanted);
        pool.reconfigure(wanted);
    }

    private synchronized void delete(ServerRequest req, ServerResponse res) {
        SessionPool pool = existing(req);
        guardConfigFile(pool.name());
        store.delete(pool.name());
        pools.remove(pool.name());
        dev.sandpool.sandbox.Trees.deleteRecursively(secretsDir.resolve(pool.name()));
        res.status(Status.NO_CONTENT_204).send();
    }

    /** A pool's secrets, one root-only file each, under the data directory's secrets/. */
    private PoolResource.SecretStore secrets(String pool) {
        java.nio.file.Path dir = secretsDir.resolve(pool);
        return new PoolResource.SecretStore() {
            @Override
            public java.nio.file.Path save(String name, String value) {
                try {
                    java.nio.file.Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                    java.nio.file.Path file = dir.resolve(name);
                    java.nio.file.Files.deleteIfExists(file);
                    java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                    java.nio.file.Files.writeString(file, value);
                    return file;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot store the pool's secret", e);
                }
            }

            @Override
            public java.util.Optional<java.nio.file.Path> existing(String name) {
                java.nio.file.Path file = dir.resolve(name);
                return java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        ? java.util.Optional.of(file) : java.util.Optional.empty();
            }
        };
    }

    private void guardConfigFile(String name) {
        if (fromConfigFile.contains(name)) {
            throw new ApiException(Status.CONFLICT_409, "PoolDefinedInConfigFile",
                    "pool '" + name + "' is defined in the server's config file; change it there");
        }
    }

    private SessionPool existing(ServerRequest req) {
        String name = name(req);
        return pools.pool(name).orElseThrow(() -> new ApiException(Status.NOT_FOUND_404, "ResourceNotFound",
                "404: session pool '" + name + "' does not exist"));
    }

    private static String name(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(Status.BAD_REQUEST_400, "InvalidResourceName",
                    "name: must be 3-63 characters of lowercase letters, digits and '-', starting with a letter (got '"
                            + name + "')");
        }
        return name;
    }

    private Map<String, Object> describe(ServerRequest req, SessionPool pool) {
        var uri = req.requestedUri();
        String base = uri.scheme() + "://" + uri.authority();
        return PoolResource.write(pool.config(), base + "/pools/" + pool.name(), new PoolResource.Status(pool.readyCount(),
                pool.startingCount(), pool.allocatedCount(), fromConfigFile.contains(pool.name()) ? "config" : "api",
                pool.startFailure()));
    }
}
