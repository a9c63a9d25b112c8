package org.protowrap.engine.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.protowrap.engine.cli.Main;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.runtime.RunMode;

/**
 * {@code protowrap demo}: starts {@link DemoBackends} on loopback, prints what to try, and runs the
 * configuration's wrappers in front of them until Ctrl-C. The suggestions are chosen by protocol
 * name; a wrapper with another protocol gets a plain {@code socat} line. The suggestions use only
 * the clients the README's package list installs (curl, swaks, socat).
 */
public final class Demo {

    /** Where the demo backends listen; 0 picks a free port. */
    public record Ports(int web1, int web2, int smtp) {
        /** The ports the bundled demo configuration forwards to. */
        public static final Ports STANDARD = new Ports(9001, 9002, 2526);
    }

    private static final String BUNDLED = "protowrap.yaml";

    private final Ports ports;
    private final PrintStream out;
    private final PrintStream err;

    public Demo(Ports ports, PrintStream out, PrintStream err) {
        this.ports = ports;
        this.out = out;
        this.err = err;
    }

    /** The image's {@code conf/protowrap.yaml}, or the bundled demo configuration copied to a temporary file. */
    public static Path configuration(Path home) {
        Path image = home.resolve("conf").resolve("protowrap.yaml");
        if (Files.isRegularFile(image)) {
            return image;
        }
        try (InputStream bundled = Demo.class.getResourceAsStream(BUNDLED)) {
            Path copy = Files.createTempFile("protowrap-demo", ".yaml");
            copy.toFile().deleteOnExit();
            Files.copy(bundled, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled demo configuration", e);
        }
    }

    /** Starts the backends, prints what to try, and serves until stopped; returns the exit code. */
    public int run(Configuration config, RunMode mode) {
        try (DemoBackends backends = DemoBackends.start(ports, out)) {
            printWhatToTry(config, backends);
            return mode.run(config);
        } catch (IOException e) {
            err.println("protowrap demo: cannot start the demo backends: " + e.getMessage()
                    + " (ports " + ports.web1() + ", " + ports.web2() + " and " + ports.smtp() + " must be free)");
            return Main.FAILURE;
        }
    }

    private void printWhatToTry(Configuration config, DemoBackends backends) {
        out.println("ProtoWrap demo");
        out.println("  demo backends: web-1 on 127.0.0.1:" + backends.web1Port() + ", web-2 on 127.0.0.1:"
                + backends.web2Port() + ", SMTP sink on 127.0.0.1:" + backends.smtpPort());
        for (WrapperConfig w : config.settings().wrappers()) {
            out.println("  wrapper " + w.name() + ": " + w.validation().protocol() + " on " + w.listen().addr() + ":"
                    + w.listen().port()
                    + " -> " + w.destination().backends().stream().map(b -> b.name()).toList());
        }
        config.settings().admin().ifPresent(a -> out.println("  admin endpoint: http://" + a.listenAddr() + ":"
                + a.listenPort() + "/ (status page; /status, /metrics, /ready)"));
        out.println();
        out.println("Try:");
        for (WrapperConfig w : config.settings().wrappers()) {
            suggest(w);
        }
        out.println();
        out.println("Ctrl-C stops the demo.");
        out.flush();
    }

    private void suggest(WrapperConfig w) {
        String addr = w.listen().addr();
        String host = addr.equals("0.0.0.0") || addr.equals("::") ? "127.0.0.1" : addr;
        String at = host + ":" + w.listen().port();
        switch (w.validation().protocol()) {
            case "http" -> {
                out.println("  curl http://" + at + "/         # twice: web-1 answers, then web-2");
                out.println("  curl -H 'Transfer-Encoding: xchunked' --data x http://" + at + "/"
                        + "         # refused by the wrapper, never reaches a backend");
            }
            case "smtp" -> {
                out.println("  swaks --server " + at + " --from alice@example.org --to bob@example.org"
                        + "         # the sink prints the message");
                out.println("  (sleep 1; printf 'EHLO demo\\r\\n'; sleep 1; printf 'MAIL FROM: <alice@example.org>\\r\\n';"
                        + " sleep 1; printf 'QUIT\\r\\n') | socat -t 2 - TCP:" + at
                        + "         # a space after the colon: refused");
                out.println("  printf 'EHLO demo\\r\\n' | socat -t 2 - TCP:" + at
                        + "         # talking before the greeting: refused");
            }
            default -> out.println("  socat - TCP:" + at + "         # type lines; " + w.validation().protocol()
                    + " checks them");
        }
    }
}
