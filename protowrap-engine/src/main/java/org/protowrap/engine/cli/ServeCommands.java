package org.protowrap.engine.cli;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.protowrap.engine.config.ConfigException;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.runtime.InetdMode;
import org.protowrap.engine.runtime.RunMode;

/** The commands that serve: {@code run}, {@code inetd} and {@code demo}. */
final class ServeCommands {

    private final Commands commands;
    private final Path home;
    private final PrintStream out;
    private final PrintStream err;

    ServeCommands(Commands commands, Path home, PrintStream out, PrintStream err) {
        this.commands = commands;
        this.home = home;
        this.out = out;
        this.err = err;
    }

    /** {@code run [--config FILE]}: the default file is the image's {@code conf/protowrap.yaml}. */
    int run(Optional<Path> file) {
        Path source = file.orElse(home.resolve("conf").resolve("protowrap.yaml"));
        return load(source).map(config -> new RunMode(ConfigLoader.forHome(home), err).run(config))
                .orElse(Main.USAGE);
    }

    /** {@code inetd --config FILE --wrapper NAME}: standard output is taken for the protocol first. */
    int inetd(Path file, String wrapper) {
        FileOutputStream protocolOut = InetdMode.claimStandardOutput();
        return load(file).map(config -> new InetdMode(err).run(config, wrapper, protocolOut)).orElse(Main.USAGE);
    }

    /** {@code demo [--config FILE]}: the default is the image's configuration, else the demo's own. */
    int demo(Optional<Path> file) {
        Optional<DemoCommand> demo = DemoCommand.find(out, err);
        if (demo.isEmpty()) {
            err.println("protowrap demo: this runtime carries no demo (module org.protowrap.demo)");
            return Main.FAILURE;
        }
        Path source = file.orElseGet(() -> demo.get().configuration(home));
        return load(source).map(config -> demo.get().run(config, new RunMode(ConfigLoader.forHome(home), err)))
                .orElse(Main.USAGE);
    }

    private Optional<Configuration> load(Path file) {
        try {
            return Optional.of(commands.load(file));
        } catch (ConfigException e) {
            commands.report(file, e.problems());
            return Optional.empty();
        }
    }
}
