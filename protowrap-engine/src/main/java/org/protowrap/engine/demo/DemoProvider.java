package org.protowrap.engine.demo;

import java.io.IOException;
import java.io.PrintStream;

/**
 * What {@code protowrap demo} needs besides the engine: a demo configuration and the backends it
 * forwards to. The engine knows no protocol, so everything protocol-specific in the demo (the
 * backends, what to try against each wrapper) comes from here. The engine uses the first provider
 * in the boot layer; the runtime image carries one, the {@code org.protowrap.demo} module.
 *
 * <p>A provider needs a public no-argument constructor.
 */
public interface DemoProvider {

    /** The demo configuration as YAML: used when neither {@code --config} nor the image's {@code conf/protowrap.yaml} is there. */
    String configuration();

    /**
     * Starts the backends on loopback; what they report while running goes to {@code out}.
     *
     * @throws IOException when one cannot listen; the message says which ports must be free
     */
    DemoBackends start(PrintStream out) throws IOException;
}
