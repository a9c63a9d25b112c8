package org.protowrap.spi;

/**
 * What every provider the engine loads has: the name a configuration selects it by, and one
 * line saying what it does. {@link ValidatorProvider} and {@link BalancerProvider} extend it.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader}, which instantiates them itself: a
 * provider class is public and has a public constructor without arguments, or a public static
 * method {@code provider()} without arguments that returns the instance. It is declared with
 * {@code provides} in the plugin's {@code module-info.java}. The engine instantiates each provider
 * once per process; construction must be cheap and must not open files, sockets or threads.
 */
public interface Provider {

    /**
     * The word the configuration uses to select this provider, e.g. {@code smtp} in
     * {@code protocol:} or {@code roundrobin} in {@code balancer:}: a lower-case letter, then up
     * to 31 lower-case letters, digits, {@code _} or {@code -}; stable. A provider with another
     * name is reported and not loaded.
     */
    String name();

    /** One line for {@code protowrap plugins}. */
    String description();
}
