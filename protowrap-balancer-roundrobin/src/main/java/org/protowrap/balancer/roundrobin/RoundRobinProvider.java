package org.protowrap.balancer.roundrobin;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.spi.BalancerProvider;

/** Provides {@code roundrobin}. It has no options. */
public final class RoundRobinProvider implements BalancerProvider {

    @Override
    public String name() {
        return "roundrobin";
    }

    @Override
    public String description() {
        return "smooth weighted round-robin; strict rotation when weights are equal";
    }

    @Override
    public Balancer create(BalancerConfig config) {
        return new SmoothWeightedRoundRobin();
    }
}
