package org.protowrap.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.protowrap.engine.demo.DemoBackends;
import org.protowrap.engine.demo.DemoProvider;

/**
 * The demo {@code protowrap demo} runs: two HTTP servers and an SMTP sink on loopback
 * ({@link LoopbackBackends}), and a configuration ({@code protowrap.yaml} beside this class, the
 * image's {@code conf/protowrap.yaml}) with an {@code http} and an {@code smtp} wrapper in front of
 * them and the admin endpoint on 127.0.0.1:8404.
 */
public final class Demo implements DemoProvider {

    /** Where the demo backends listen; 0 picks a free port. */
    record Ports(int web1, int web2, int smtp) {
        /** The ports the bundled demo configuration forwards to. */
        static final Ports STANDARD = new Ports(9001, 9002, 2526);
    }

    private static final String BUNDLED = "protowrap.yaml";

    private final Ports ports;

    /** The demo on its standard ports, as the bundled configuration expects it. */
    public Demo() {
        this(Ports.STANDARD);
    }

    Demo(Ports ports) {
        this.ports = ports;
    }

    @Override
    public String configuration() {
        try (InputStream bundled = Demo.class.getResourceAsStream(BUNDLED)) {
            return new String(bundled.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled demo configuration", e);
        }
    }

    @Override
    public DemoBackends start(PrintStream out) throws IOException {
        try {
            return LoopbackBackends.start(ports, out);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (ports " + ports.web1() + ", " + ports.web2() + " and "
                    + ports.smtp() + " must be free)", e);
        }
    }
}
