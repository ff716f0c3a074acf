package dev.sandpool.cli;

public final class SandpoolCli {
    public static void main(String[] args) {}
}
