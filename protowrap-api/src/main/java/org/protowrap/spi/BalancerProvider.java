package org.protowrap.spi;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;

/**
 * A named factory for load-balancing policies, found with {@link java.util.ServiceLoader}.
 *
 * <p>The wrapper's {@code balancer:} key selects the provider whose {@link #name()} it names.
 * What every provider must be (constructible by the loader, cheap to construct, named) is stated
 * in {@link Provider}.
 */
public interface BalancerProvider extends Provider {

    /** The word the configuration uses in {@code balancer:}, e.g. {@code roundrobin}; see {@link Provider#name()}. */
    @Override
    String name();

    /** One line for {@code protowrap plugins}. */
    @Override
    String description();

    /**
     * Builds the balancer for one wrapper over its configured backends. Options are read and
     * reported exactly as for validators.
     */
    Balancer create(BalancerConfig config);
}
