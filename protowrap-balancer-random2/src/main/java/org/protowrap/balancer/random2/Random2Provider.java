package org.protowrap.balancer.random2;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.spi.BalancerProvider;

/** Provides {@code random2}. It has no options. */
public final class Random2Provider implements BalancerProvider {

    @Override
    public String name() {
        return "random2";
    }

    @Override
    public String description() {
        return "power of two random choices: the less loaded of two random backends, per unit of weight";
    }

    @Override
    public Balancer create(BalancerConfig config) {
        return new PowerOfTwoChoices();
    }
}
