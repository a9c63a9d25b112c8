package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Collection;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.Options;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.spi.BalancerProvider;

/**
 * The live backends of one wrapper and its balancer. The engine decides which backends may be
 * chosen ({@link #candidates}); the balancer chooses among them.
 *
 * <p>Not yet here: health checks, backup servers held back while a primary is up, and the
 * per-backend {@code maxConnections}. Every backend not yet tried for the connection is a
 * candidate; those rules belong in {@link #candidates}.
 */
final class BackendPool {

    private final List<LiveBackend> backends;
    private final Balancer balancer;

    BackendPool(WrapperConfig config, BalancerProvider provider) {
        this.backends = config.backends().stream().map(LiveBackend::new).toList();
        this.balancer = provider.create(new BalancerConfig(config.name(), List.copyOf(backends),
                Options.of(config.balancerOptions())));
    }

    /** The backends that may be chosen for a connection that has already tried {@code tried}. */
    List<Backend> candidates(Collection<LiveBackend> tried) {
        return backends.stream().filter(b -> !tried.contains(b)).map(Backend.class::cast).toList();
    }

    /** The balancer's choice among the candidates; empty if there is none or it refuses them all. */
    Optional<LiveBackend> choose(Collection<LiveBackend> tried, InetAddress client) {
        List<Backend> candidates = candidates(tried);
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        return balancer.choose(candidates, client)
                .filter(candidates::contains)
                .map(LiveBackend.class::cast);
    }

    List<LiveBackend> backends() {
        return backends;
    }
}
