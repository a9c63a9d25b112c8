package org.protowrap.engine.plugin;

import org.protowrap.spi.Provider;

/**
 * One provider the engine found.
 *
 * @param name the name the configuration selects it by
 * @param kind validator or balancer
 * @param description the provider's one line
 * @param module the name of the module that provides it
 * @param location where that module came from: a jar path, or {@code jrt:/...} inside the image
 * @param builtIn true for the image's boot layer, false for a jar in the plugins folder
 * @param provider the provider instance
 */
public record Plugin(String name, PluginKind kind, String description, String module, String location,
        boolean builtIn, Provider provider) {

    /** {@code built-in} or {@code plugin}. */
    public String origin() {
        return builtIn ? "built-in" : "plugin";
    }
}
