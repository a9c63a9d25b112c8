package org.protowrap.balancer.sourcehash;

import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.spi.BalancerProvider;

/** Provides {@code sourcehash}. It has no options. */
public final class SourceHashProvider implements BalancerProvider {

    @Override
    public String name() {
        return "sourcehash";
    }

    @Override
    public String description() {
        return "keeps each client address on one backend (weighted rendezvous hashing)";
    }

    @Override
    public Balancer create(BalancerConfig config) {
        return new RendezvousHash();
    }
}
