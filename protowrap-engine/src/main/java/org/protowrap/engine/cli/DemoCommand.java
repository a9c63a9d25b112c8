package org.protowrap.engine.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.demo.DemoBackends;
import org.protowrap.engine.demo.DemoProvider;
import org.protowrap.engine.runtime.RunMode;

/**
 * {@code protowrap demo}: starts the demo's backends, prints what to try, and runs the
 * configuration's wrappers in front of them until Ctrl-C. The backends and the suggestions come
 * from the {@link DemoProvider} in the boot layer; this class prints only what the configuration
 * says (wrappers, the admin endpoint).
 */
final class DemoCommand {

    private final DemoProvider demo;
    private final PrintStream out;
    private final PrintStream err;

    private DemoCommand(DemoProvider demo, PrintStream out, PrintStream err) {
        this.demo = demo;
        this.out = out;
        this.err = err;
    }

    /** The demo the runtime carries, if any. */
    static Optional<DemoCommand> find(PrintStream out, PrintStream err) {
        return ServiceLoader.load(ModuleLayer.boot(), DemoProvider.class).findFirst()
                .map(demo -> new DemoCommand(demo, out, err));
    }

    /** The image's {@code conf/protowrap.yaml}, or the demo's own configuration written to a temporary file. */
    Path configuration(Path home) {
        Path image = home.resolve("conf").resolve("protowrap.yaml");
        if (Files.isRegularFile(image)) {
            return image;
        }
        try {
            Path copy = Files.createTempFile("protowrap-demo", ".yaml");
            copy.toFile().deleteOnExit();
            return Files.writeString(copy, demo.configuration(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo configuration", e);
        }
    }

    /** Starts the backends, prints what to try, and serves until stopped; returns the exit code. */
    int run(Configuration config, RunMode mode) {
        try (DemoBackends backends = demo.start(out)) {
            printWhatToTry(config, backends);
            return mode.run(config);
        } catch (IOException e) {
            err.println("protowrap demo: cannot start the demo backends: " + e.getMessage());
            return Main.FAILURE;
        }
    }

    private void printWhatToTry(Configuration config, DemoBackends backends) {
        out.println("ProtoWrap demo");
        out.println("  demo backends: " + backends.description());
        for (WrapperConfig w : config.settings().wrappers()) {
            out.println("  wrapper " + w.name() + ": " + w.validation().protocol() + " on " + w.listen().addr() + ":"
                    + w.listen().port() + " -> " + w.destination().backends().stream().map(b -> b.name()).toList());
        }
        config.settings().admin().ifPresent(a -> out.println("  admin endpoint: http://" + a.listenAddr() + ":"
                + a.listenPort() + "/ (status page; /status, /metrics, /ready)"));
        out.println();
        out.println("Try:");
        for (WrapperConfig w : config.settings().wrappers()) {
            backends.suggestions(w.validation().protocol(), reachable(w)).forEach(line -> out.println("  " + line));
        }
        out.println();
        out.println("Ctrl-C stops the demo.");
        out.flush();
    }

    /** Where a client on this machine reaches the wrapper: loopback for a wildcard address. */
    private static String reachable(WrapperConfig w) {
        String addr = w.listen().addr();
        String host = addr.equals("0.0.0.0") || addr.equals("::") ? "127.0.0.1" : addr;
        return host + ":" + w.listen().port();
    }
}
