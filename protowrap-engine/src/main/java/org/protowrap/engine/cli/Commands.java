package org.protowrap.engine.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.protowrap.api.Problem;
import org.protowrap.engine.config.ConfigException;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.plugin.Plugin;
import org.protowrap.engine.plugin.PluginProblem;
import org.protowrap.engine.plugin.PluginRegistry;
import org.protowrap.engine.runtime.Version;

/** The commands, each returning an exit code. */
final class Commands {

    /** More problems than this are a wrong file, not a list to read one by one. */
    static final int MAX_REPORTED = 200;

    private final Path home;
    private final PrintStream out;
    private final PrintStream err;

    Commands(Path home, PrintStream out, PrintStream err) {
        this.home = home;
        this.out = out;
        this.err = err;
    }

    int dispatch(CommandLine line) {
        return switch (line.command()) {
            case "version" -> version();
            case "help" -> help();
            case "check" -> check(Path.of(line.required("config")));
            case "status" -> status(line.option("config").map(Path::of)
                    .orElse(home.resolve("conf").resolve("protowrap.yaml")), line.option("format").orElse("table"));
            case "plugins" -> plugins(line.option("plugins-dir").map(Path::of));
            case "run" -> new ServeCommands(this, home, out, err).run(line.option("config").map(Path::of));
            case "inetd" -> new ServeCommands(this, home, out, err)
                    .inetd(Path.of(line.required("config")), line.required("wrapper"));
            case "demo" -> new ServeCommands(this, home, out, err).demo(line.option("config").map(Path::of));
            default -> throw new UsageException("unknown command '" + line.command() + "'");
        };
    }

    static String versionString() {
        return Version.current();
    }

    private int version() {
        out.println("protowrap " + versionString() + " (Java " + Runtime.version() + ")");
        return Main.OK;
    }

    private int help() {
        out.print("""
                ProtoWrap: a protocol-validating TCP wrapper and load-balancing dispatcher.

                Usage:
                  protowrap run [--config FILE]                 run every wrapper in FILE (default conf/protowrap.yaml)
                  protowrap check --config FILE                 validate FILE; exit 0, or 2 with every problem listed
                  protowrap status [--config FILE]              ask the running process how its wrappers and backends are
                  protowrap plugins [--plugins-dir DIR]         list validators and balancers (default DIR: plugins/)
                  protowrap demo                                start demo backends and wrappers, print what to try
                  protowrap inetd --config FILE --wrapper NAME  serve one connection on stdin/stdout
                  protowrap --version | --help

                Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
                """);
        return Main.OK;
    }

    private int check(Path file) {
        try {
            Configuration config = load(file);
            out.println(file + ": OK, " + config.wrappers().size() + " wrapper"
                    + (config.wrappers().size() == 1 ? "" : "s") + ": "
                    + String.join(", ", config.wrappers().stream().map(Commands::describe).toList()));
            config.warnings().forEach(w -> out.println(file + ": warning: " + w));
            return Main.OK;
        } catch (ConfigException e) {
            report(file, e.problems());
            return Main.USAGE;
        }
    }

    private int status(Path file, String format) {
        try {
            return new StatusCommand(out, err).run(load(file), file.toString(), format);
        } catch (ConfigException e) {
            report(file, e.problems());
            return Main.USAGE;
        }
    }

    private static String describe(Wrapper w) {
        return w.name() + " (" + w.config().validation().protocol() + " on " + w.config().listen().addr() + ":"
                + w.config().listen().port() + ")";
    }

    Configuration load(Path file) {
        return ConfigLoader.forHome(home).load(file);
    }

    /** Prints the problems in file order; past {@link #MAX_REPORTED} a count stands for the rest. */
    void report(Path file, List<Problem> problems) {
        err.println(file + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ":");
        problems.stream().limit(MAX_REPORTED).forEach(p -> err.println("  " + p));
        if (problems.size() > MAX_REPORTED) {
            err.println("  ... and " + (problems.size() - MAX_REPORTED) + " more");
        }
    }

    /** {@code plugins [--plugins-dir DIR]}: a folder named on the command line must exist; the default may not. */
    private int plugins(Optional<Path> given) {
        Path dir = given.orElse(home.resolve("plugins"));
        if (given.isPresent() && !Files.isDirectory(dir)) {
            err.println("protowrap: " + dir + ": no such folder (--plugins-dir)");
            return Main.USAGE;
        }
        PluginRegistry registry = PluginRegistry.load(Optional.of(dir));
        List<Plugin> plugins = registry.plugins();
        int nameWidth = Math.max(4, plugins.stream().mapToInt(p -> p.name().length()).max().orElse(0));
        int moduleWidth = Math.max(6, plugins.stream().mapToInt(p -> p.module().length()).max().orElse(0));
        String format = "%-" + nameWidth + "s  %-9s  %-8s  %-" + moduleWidth + "s  %s%n";
        out.printf(format, "NAME", "KIND", "ORIGIN", "MODULE", "JAR");
        for (Plugin p : plugins) {
            out.printf(format, p.name(), p.kind().word(), p.origin(), p.module(), p.location());
            out.printf("%-" + nameWidth + "s    %s%n", "", p.description());
        }
        if (!registry.problems().isEmpty()) {
            out.println();
            out.println("Problems in " + dir + ":");
            for (PluginProblem p : registry.problems()) {
                out.println("  " + p);
            }
        }
        return registry.problems().stream().anyMatch(PluginProblem::fatal) ? Main.USAGE : Main.OK;
    }
}
