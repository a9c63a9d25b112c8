package org.protowrap.engine.demo;

import java.util.List;

/** The running demo backends. Closing them stops them. */
public interface DemoBackends extends AutoCloseable {

    /** Where they listen, for a person: one line, without a trailing newline. */
    String description();

    /**
     * Commands to try against a wrapper, one line each, using only the clients the README's
     * package list installs.
     *
     * @param protocol the wrapper's validator name, as the YAML selects it
     * @param address where the wrapper listens, {@code host:port}
     */
    List<String> suggestions(String protocol, String address);

    @Override
    void close();
}
