package dev.sandpool.cli;

import dev.sandpool.testing.AzureClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** Runs {@code sandpool ...} in-process, as {@link SandpoolCli#main} does, and keeps what it printed. */
final class CliRunner {
    private final List<String> connection;

    /** Every command gets {@code --server URL --api-key KEY} appended. */
    CliRunner(String server, String apiKey) {
        this.connection = List.of("--server", server, "--api-key", apiKey);
    }

    record Result(int exit, String out, String err) {
        JsonNode json() {
            return AzureClient.JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(connection);
        return raw(all.toArray(String[]::new));
    }

    /** Without the connection options. */
    static Result raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SandpoolCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
