package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.engine.config.WrapperConfig;

/**
 * The connections open through one wrapper, in all and per client address, counted against its
 * limits. One object per wrapper name for the life of the process: a reload that replaces the
 * wrapper hands the same counts to the replacement, so the connections of every generation count
 * against {@code maxConnections} and {@code maxConnectionsPerClient} together. Thread-safe.
 */
public final class ConnectionCounts {

    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    /** Connections open now. */
    public int active() {
        return active.get();
    }

    /**
     * Counts a new connection from {@code client} unless one of {@code limits}' limits is reached.
     *
     * @return the name of the limit reached, if one is; the connection is then not counted
     */
    Optional<String> admit(InetAddress client, WrapperConfig.Limits limits) {
        if (active.incrementAndGet() > limits.maxConnections()) {
            active.decrementAndGet();
            return Optional.of("maxConnections");
        }
        int perClientLimit = limits.maxConnectionsPerClient() > 0 ? limits.maxConnectionsPerClient() : Integer.MAX_VALUE;
        boolean[] over = new boolean[1];
        // counted even without a per-client limit, so that a reload that sets one finds the counts right
        perClient.compute(client, (address, count) -> {
            int next = count == null ? 1 : count + 1;
            over[0] = next > perClientLimit;
            return over[0] ? count : Integer.valueOf(next);
        });
        if (over[0]) {
            active.decrementAndGet();
            return Optional.of("maxConnectionsPerClient");
        }
        return Optional.empty();
    }

    /** Uncounts a connection that {@link #admit} counted. */
    void release(InetAddress client) {
        active.decrementAndGet();
        perClient.computeIfPresent(client, (address, count) -> count > 1 ? count - 1 : null);
    }
}
