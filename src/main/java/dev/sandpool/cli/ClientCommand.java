package dev.sandpool.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to the server. Printing goes through picocli's writers so that tests (and
 * embedders) can capture it; failures become {@code error: <code>: <message>} and an exit code here,
 * since {@link SandpoolCli#main} installs no exception handler.
 */
abstract class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Override
    public final Integer call() {
        try (ApiClient api = options.client()) {
            return run(api, new Output(out(), options.output));
        } catch (CliException e) {
            err().println("error: " + e.code() + ": " + e.getMessage());
            err().flush();
            return e.exitCode();
        }
    }

    abstract int run(ApiClient api, Output output);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
