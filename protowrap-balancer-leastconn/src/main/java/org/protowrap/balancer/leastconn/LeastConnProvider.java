package org.protowrap.balancer.leastconn;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.spi.BalancerProvider;

/** Provides {@code leastconn}. It has no options. */
public final class LeastConnProvider implements BalancerProvider {

    @Override
    public String name() {
        return "leastconn";
    }

    @Override
    public String description() {
        return "fewest active connections per unit of weight; ties rotate in proportion to weight";
    }

    @Override
    public Balancer create(BalancerConfig config) {
        return new LeastConnections();
    }
}
