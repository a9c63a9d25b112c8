package org.protowrap.engine.config;

import java.util.List;
import org.protowrap.api.Balancer;

/**
 * A wrapper's balancer, built once when the configuration is loaded (so {@code check} and
 * {@code run} refuse the same options), and the backends it was built over, in configuration order.
 *
 * @param balancer the balancer plugin's policy
 * @param backends one per {@code destAddr} entry, the objects the balancer is offered as candidates
 */
public record Balancing(Balancer balancer, List<BalancedBackend> backends) {
    public Balancing {
        backends = List.copyOf(backends);
    }
}
