package org.protowrap.api;

import java.util.List;
import java.util.Objects;

/**
 * What a balancer is built from.
 *
 * @param wrapper the wrapper's name, for messages
 * @param backends every configured backend, primaries and backups, in configuration order
 * @param options the wrapper's {@code balancerOptions:} section
 */
public record BalancerConfig(String wrapper, List<Backend> backends, Options options) {
    public BalancerConfig {
        Objects.requireNonNull(wrapper, "wrapper");
        backends = List.copyOf(backends);
        Objects.requireNonNull(options, "options");
    }
}
