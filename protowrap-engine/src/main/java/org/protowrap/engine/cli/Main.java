package org.protowrap.engine.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code protowrap} command. Exit codes: 0 success, 1 runtime failure, 2 usage or
 * configuration error.
 */
public final class Main {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs one command line; returns the exit code. Output goes to the given streams. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Path home = Path.of(System.getProperty("protowrap.home", ".")).toAbsolutePath().normalize();
        try {
            return new Commands(home, out, err).dispatch(CommandLine.parse(args));
        } catch (UsageException e) {
            err.println("protowrap: " + e.getMessage());
            err.println("Run 'protowrap --help' for usage.");
            return USAGE;
        }
    }
}
