package org.protowrap.spi;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;

/**
 * A named factory for load-balancing policies, found with {@link java.util.ServiceLoader}.
 *
 * <p>The wrapper's {@code balancer:} key selects the provider whose {@link #name()} it names.
 * Like {@link ValidatorProvider}, a provider is a {@code public} class with a {@code public}
 * constructor without arguments, and must be cheap to construct.
 */
public interface BalancerProvider {

    /** The word the configuration uses in {@code balancer:}, e.g. {@code roundrobin}; the same form as a validator's name. */
    String name();

    /** One line for {@code protowrap plugins}. */
    String description();

    /**
     * Builds the balancer for one wrapper over its configured backends. Options are read and
     * reported exactly as for validators.
     */
    Balancer create(BalancerConfig config);
}
