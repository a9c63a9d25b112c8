package org.protowrap.engine.plugin;

import org.protowrap.spi.BalancerProvider;
import org.protowrap.spi.Provider;
import org.protowrap.spi.ValidatorProvider;

/** The two kinds of provider the engine loads, each with the service interface it is loaded by. */
public enum PluginKind {
    VALIDATOR("validator", "protocol", ValidatorProvider.class),
    BALANCER("balancer", "balancer", BalancerProvider.class);

    private final String word;
    private final String configKey;
    private final Class<? extends Provider> service;

    PluginKind(String word, String configKey, Class<? extends Provider> service) {
        this.word = word;
        this.configKey = configKey;
        this.service = service;
    }

    /** {@code validator} or {@code balancer}, as printed by {@code protowrap plugins}. */
    public String word() {
        return word;
    }

    /** The wrapper key that selects a provider of this kind. */
    public String configKey() {
        return configKey;
    }

    /** The interface providers of this kind implement, and {@link java.util.ServiceLoader} loads. */
    public Class<? extends Provider> service() {
        return service;
    }

    /** The kind whose providers implement {@code service}. */
    public static PluginKind of(Class<? extends Provider> service) {
        for (PluginKind kind : values()) {
            if (kind.service == service) {
                return kind;
            }
        }
        throw new IllegalArgumentException(service.getName() + " is not a provider interface the engine loads");
    }
}
