package org.protowrap.engine.config;

import org.protowrap.api.Validator;
import org.protowrap.spi.BalancerProvider;

/**
 * A wrapper ready to run: its settings, its validator (built from the options), and the balancer
 * provider (the engine builds the balancer over its live backends).
 */
public record Wrapper(WrapperConfig config, Validator validator, BalancerProvider balancerProvider) {
    public String name() {
        return config.name();
    }
}
