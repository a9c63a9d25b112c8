package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.engine.config.BalancedBackend;
import org.protowrap.engine.config.Balancing;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.health.HealthPolicy;

/**
 * The live backends of one wrapper and its balancer. The engine decides which backends may be
 * chosen ({@link #candidates}); the balancer chooses among them.
 *
 * <p>A candidate is up, enabled by the operator (not drained or disabled), has not failed for this
 * connection already, and is under its
 * {@code maxConnections}. Backups are candidates only while no primary is: when every primary
 * is down or has failed for this connection. A primary that is up but full does not hand its
 * connections to the backups: {@code maxConnections} is a cap, not an overflow rule.
 */
public final class BackendPool {

    private final List<LiveBackend> backends;
    private final Balancer balancer;
    /** The object the balancer was built over for each live backend, and back: filled once, then only read. */
    private final Map<LiveBackend, Backend> offeredFor = new IdentityHashMap<>();
    private final Map<Backend, LiveBackend> liveOf = new IdentityHashMap<>();

    /** The backends of {@code config}, attached to the objects {@code balancing}'s balancer was built over. */
    BackendPool(WrapperConfig config, Balancing balancing, ProcessState state) {
        HealthPolicy policy = HealthPolicy.of(config.destination().healthCheck());
        this.backends = config.destination().backends().stream()
                .map(b -> new LiveBackend(b, state.health().of(config.name(), b.name(), policy),
                        state.metrics().backend(config.name(), b.name())))
                .toList();
        this.balancer = balancing.balancer();
        for (int i = 0; i < backends.size(); i++) {
            BalancedBackend offered = balancing.backends().get(i);
            offered.attach(backends.get(i));
            offeredFor.put(backends.get(i), offered);
            liveOf.put(offered, backends.get(i));
        }
    }

    /**
     * The backends that may be chosen at {@code now} for a connection that has already tried
     * {@code tried}, as the balancer is offered them.
     */
    List<Backend> candidates(Collection<LiveBackend> tried, long now) {
        List<LiveBackend> primaries = available(tried, now, false);
        List<LiveBackend> pool = primaries.isEmpty() ? available(tried, now, true) : primaries;
        return pool.stream().filter(LiveBackend::hasRoom).map(offeredFor::get).toList();
    }

    private List<LiveBackend> available(Collection<LiveBackend> tried, long now, boolean backup) {
        return backends.stream()
                .filter(b -> b.backup() == backup && !tried.contains(b) && b.takesNewConnections()
                        && b.health().isUp(now))
                .toList();
    }

    /**
     * The balancer's choice among the candidates, with a connection slot taken on it (give it
     * back with {@link LiveBackend#release}); empty if there is no candidate or the balancer
     * refuses them all.
     */
    Optional<LiveBackend> choose(Collection<LiveBackend> tried, InetAddress client, long now) {
        List<LiveBackend> full = new ArrayList<>();
        while (true) {
            List<Backend> candidates = candidates(tried, now).stream().filter(b -> !full.contains(liveOf.get(b))).toList();
            if (candidates.isEmpty()) {
                return Optional.empty();
            }
            Optional<LiveBackend> chosen = balancer.choose(candidates, client)
                    .filter(candidates::contains)
                    .map(liveOf::get);
            if (chosen.isEmpty() || chosen.get().reserve()) {
                return chosen;
            }
            // filled up by another loop since the candidates were listed: choose again without it
            full.add(chosen.get());
        }
    }

    /** Why no backend could be chosen, for the log: how many are down, full, or failed already. */
    String unavailable(Collection<LiveBackend> tried, long now) {
        long down = backends.stream().filter(b -> !b.health().isUp(now)).count();
        long full = backends.stream().filter(b -> b.health().isUp(now) && !b.hasRoom()).count();
        return backends.size() + " backend(s): " + down + " down, " + full + " at maxConnections, "
                + tried.size() + " tried for this connection";
    }

    public List<LiveBackend> backends() {
        return backends;
    }

    /** The backend of this name ({@code host:port}), if the wrapper has it. */
    public Optional<LiveBackend> find(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
