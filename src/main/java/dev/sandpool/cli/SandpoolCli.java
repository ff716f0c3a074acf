package dev.sandpool.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sandpool}: the command-line entry point. */
@Command(name = "sandpool", mixinStandardHelpOptions = true, version = "sandpool 0.1.0",
        description = "Self-hosted sandbox session pools with the Azure Container Apps dynamic sessions API.",
        subcommands = {ServeCommand.class, PoolCommands.class, SessionCommands.class})
public final class SandpoolCli {
    public static void main(String[] args) {
        System.exit(new CommandLine(new SandpoolCli()).execute(args));
    }
}
