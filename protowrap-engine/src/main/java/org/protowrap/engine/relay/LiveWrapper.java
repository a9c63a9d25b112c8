package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.api.Validator;
import org.protowrap.engine.config.DestType;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.health.HealthRegistry;

/**
 * A wrapper as it runs: its configuration, validator and backends, and the connection counts
 * its limits are checked against. A reload that changes a wrapper builds a new one; the
 * connections of the old one keep it, with its validator and backends, until they end.
 */
public final class LiveWrapper {

    private final Wrapper wrapper;
    private final Optional<BackendPool> pool;
    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    /** A wrapper whose backends' health is its own (a single connection in {@code inetd} mode, tests). */
    public LiveWrapper(Wrapper wrapper) {
        this(wrapper, new HealthRegistry());
    }

    /** A wrapper whose backends take their health from {@code health}, kept across reloads. */
    public LiveWrapper(Wrapper wrapper, HealthRegistry health) {
        this.wrapper = wrapper;
        this.pool = wrapper.config().destType() == DestType.IP
                ? Optional.of(new BackendPool(wrapper.config(), wrapper.balancerProvider(), health))
                : Optional.empty();
    }

    public String name() {
        return wrapper.name();
    }

    public WrapperConfig config() {
        return wrapper.config();
    }

    Validator validator() {
        return wrapper.validator();
    }

    /** The backends, for {@code destType: ip}. */
    Optional<BackendPool> pool() {
        return pool;
    }

    /** Connections open through this wrapper now. */
    public int activeConnections() {
        return active.get();
    }

    /**
     * Counts a new connection from {@code client} unless a limit is reached.
     *
     * @return the name of the limit reached, if one is; the connection is then not counted
     */
    Optional<String> admit(InetAddress client) {
        if (active.incrementAndGet() > config().maxConnections()) {
            active.decrementAndGet();
            return Optional.of("maxConnections");
        }
        int perClientLimit = config().maxConnectionsPerClient();
        if (perClientLimit > 0) {
            boolean[] over = new boolean[1];
            perClient.compute(client, (address, count) -> {
                int next = count == null ? 1 : count + 1;
                over[0] = next > perClientLimit;
                return over[0] ? count : Integer.valueOf(next);
            });
            if (over[0]) {
                active.decrementAndGet();
                return Optional.of("maxConnectionsPerClient");
            }
        }
        return Optional.empty();
    }

    /** Uncounts a connection that {@link #admit} counted. */
    void release(InetAddress client) {
        active.decrementAndGet();
        if (config().maxConnectionsPerClient() > 0) {
            perClient.computeIfPresent(client, (address, count) -> count > 1 ? count - 1 : null);
        }
    }
}
