package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.Optional;
import org.protowrap.api.Validator;
import org.protowrap.engine.config.DestType;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.health.HealthRegistry;

/**
 * A wrapper as it runs: its configuration, validator and backends, and the connection counts
 * its limits are checked against. A reload that changes a wrapper builds a new generation of it;
 * the connections of the old one keep theirs, with its validator and backends, until they end,
 * and count against the limits together with the new one's.
 */
public final class LiveWrapper {

    private final Wrapper wrapper;
    private final Optional<BackendPool> pool;
    private final ConnectionCounts counts;

    /** A wrapper whose backends' health and connection counts are its own (a single connection in {@code inetd} mode, tests). */
    public LiveWrapper(Wrapper wrapper) {
        this(wrapper, new HealthRegistry(), new ConnectionCounts());
    }

    /**
     * A generation of a wrapper whose backends take their health from {@code health} and whose
     * connections are counted in {@code counts}, both kept across reloads.
     */
    public LiveWrapper(Wrapper wrapper, HealthRegistry health, ConnectionCounts counts) {
        this.wrapper = wrapper;
        this.counts = counts;
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

    /** Connections open through this wrapper now, of every generation a reload made of it. */
    public int activeConnections() {
        return counts.active();
    }

    /**
     * Counts a new connection from {@code client} unless a limit of this generation's
     * configuration is reached.
     *
     * @return the name of the limit reached, if one is; the connection is then not counted
     */
    Optional<String> admit(InetAddress client) {
        return counts.admit(client, config());
    }

    /** Uncounts a connection that {@link #admit} counted. */
    void release(InetAddress client) {
        counts.release(client);
    }
}
