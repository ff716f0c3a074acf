package dev.sandpool.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code sandpool pool ...}: session pools through the management API, like {@code az containerapp sessionpool}. */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = "Create, change, show, list and delete session pools.",
        subcommands = {PoolCommands.Sessions.class, PoolCommands.Console.class,
                PoolCommands.Create.class, PoolCommands.Update.class, PoolCommands.Show.class,
                PoolCommands.ListPools.class, PoolCommands.Delete.class})
final class PoolCommands {
    static String path(String name) {
        return "/management/pools/" + Urls.encode(name);
    }

    /** {@code --wait} and {@code --timeout}, for the commands after which sessions start. */
    static final class WaitFlags {
        @Option(names = "--wait", description = "wait until the pool's ready sessions have started (progress on stderr)")
        boolean wait;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "how long --wait waits (default ${DEFAULT-VALUE})")
        int timeout;
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "List a pool's sessions (admin): etag, hashed identifier, created, last accessed.")
    static final class Sessions extends ClientCommand {
        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "pool name")
        String name;

        @Override
        int run(ApiClient api, Output output) {
            JsonNode value = api.json("GET", path(name) + "/sessions", null).path("value");
            output.items(value, List.of("ETAG", "IDENTIFIER HASH", "CREATED", "LAST ACCESSED"),
                    s -> List.of(s.path("etag").asString(""), s.path("identifierHash").asString(""),
                            s.path("createdAt").asString(""), s.path("lastAccessedAt").asString("")));
            return 0;
        }
    }

    @Command(name = "console", mixinStandardHelpOptions = true,
            description = "Print a session's console output (admin): a custom container's stdout and stderr.")
    static final class Console extends ClientCommand {
        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "pool name")
        String name;

        @Option(names = "--session", required = true, paramLabel = "ETAG", description = "the session's etag (see 'pool sessions')")
        String session;

        @Override
        int run(ApiClient api, Output output) {
            try (var in = api.download(path(name) + "/sessions/" + Urls.encodePath(session) + "/console",
                    java.time.Duration.ofSeconds(60))) {
                output.line(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).stripTrailing());
            } catch (java.io.IOException e) {
                throw new CliException("ConsoleFailed", "could not read the console: " + e.getMessage(), 1);
            }
            return 0;
        }
    }

    /** create and update differ only in the method and whether defaults are filled in. */
    abstract static class PoolWrite extends ClientCommand {
        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "pool name: 3-63 of a-z, 0-9, '-'")
        String name;

        @Mixin
        PoolFlags flags;

        @Mixin
        WaitFlags waiting;

        abstract boolean creating();

        @Override
        int run(ApiClient api, Output output) {
            JsonNode pool = api.json(creating() ? "PUT" : "PATCH", path(name), flags.body(name, creating()));
            if (waiting.wait) {
                pool = PoolWait.untilReady(api, name, waiting.timeout, err());
            }
            print(output, pool);
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a pool (PUT /management/pools/{name}).")
    static final class Create extends PoolWrite {
        @Override
        boolean creating() {
            return true;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a pool's settings (PATCH); sessions already allocated keep running.")
    static final class Update extends PoolWrite {
        @Override
        boolean creating() {
            return false;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a pool, with its live session counts.")
    static final class Show extends ClientCommand {
        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "pool name")
        String name;

        @Override
        int run(ApiClient api, Output output) {
            print(output, api.json("GET", path(name), null));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List pools (as az does: a JSON array of pool resources).")
    static final class ListPools extends ClientCommand {
        @Override
        int run(ApiClient api, Output output) {
            output.items(api.json("GET", "/management/pools", null).path("value"), HEADERS, PoolCommands::row);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a pool and every session in it.")
    static final class Delete extends ClientCommand {
        @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "pool name")
        String name;

        @Override
        int run(ApiClient api, Output output) {
            api.send("DELETE", path(name), java.net.http.HttpRequest.BodyPublishers.noBody(), null, null);
            if (output.table()) {
                output.line("deleted pool " + name);
            } else {
                output.json(Output.JSON.createObjectNode().put("name", name).put("deleted", true));
            }
            return 0;
        }
    }

    private static final List<String> HEADERS = List.of("NAME", "TYPE", "MAX", "READY", "ALLOCATED", "COOLDOWN",
            "NETWORK", "CPU", "MEMORY", "SOURCE", "ENDPOINT");

    static void print(Output output, JsonNode pool) {
        if (output.table()) {
            output.table(HEADERS, List.of(row(pool)));
        } else {
            output.json(pool);
        }
    }

    private static List<String> row(JsonNode pool) {
        JsonNode p = pool.path("properties");
        JsonNode status = p.path("templateUpdateStatus").path("activeTemplate").path("status");
        JsonNode own = p.path("sandpoolConfiguration");
        return List.of(Output.cell(pool.path("name")), Output.cell(p.path("containerType")),
                Output.cell(p.path("scaleConfiguration").path("maxConcurrentSessions")),
                Output.cell(status.path("readyCount")) + "/" + Output.cell(status.path("expectedCount")),
                Output.cell(status.path("allocatedCount")),
                Output.cell(p.path("dynamicPoolConfiguration").path("lifecycleConfiguration").path("cooldownPeriodInSeconds")) + "s",
                Output.cell(p.path("sessionNetworkConfiguration").path("status")),
                Output.cell(own.path("cpu")), Output.cell(own.path("memory")), Output.cell(own.path("source")),
                Output.cell(p.path("poolManagementEndpoint")));
    }
}
