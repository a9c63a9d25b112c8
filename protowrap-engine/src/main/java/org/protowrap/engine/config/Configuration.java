package org.protowrap.engine.config;

import java.util.List;
import org.protowrap.engine.plugin.PluginRegistry;

/**
 * A configuration that passed every check, with the plugins it selected already built, and what
 * is worth a warning but does not stop it (a certificate that expires soon).
 */
public record Configuration(Settings settings, List<Wrapper> wrappers, PluginRegistry registry, List<String> warnings) {

    /** A configuration without warnings. */
    public Configuration(Settings settings, List<Wrapper> wrappers, PluginRegistry registry) {
        this(settings, wrappers, registry, List.of());
    }
}
