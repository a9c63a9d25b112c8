package org.protowrap.engine.config;

import java.util.List;
import org.protowrap.engine.plugin.PluginRegistry;

/** A configuration that passed every check, with the plugins it selected already built. */
public record Configuration(Settings settings, List<Wrapper> wrappers, PluginRegistry registry) {}
