package org.protowrap.engine.relay;

import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.api.Backend;
import org.protowrap.engine.config.BackendAddress;
import org.protowrap.engine.health.BackendHealth;

/**
 * A configured backend as it runs: its health and its connections, as balancers see it. A
 * connection takes a slot when the backend is chosen and holds it while connecting and
 * connected, so {@code maxConnections} also bounds connects in progress, and a balancer that
 * counts connections sees those too.
 */
final class LiveBackend implements Backend {

    private final BackendAddress address;
    /** Built once: logs and balancers ask for it on every connection. */
    private final String name;
    private final BackendHealth health;
    private final AtomicInteger active = new AtomicInteger();

    LiveBackend(BackendAddress address, BackendHealth health) {
        this.address = address;
        this.health = health;
        this.name = address.name();
    }

    BackendHealth health() {
        return health;
    }

    /** Whether one more connection fits under {@code maxConnections}. A hint: {@link #reserve} decides. */
    boolean hasRoom() {
        return address.maxConnections() == 0 || active.get() < address.maxConnections();
    }

    /** Takes a slot for one connection, unless the backend is at its {@code maxConnections}. */
    boolean reserve() {
        int limit = address.maxConnections();
        while (true) {
            int now = active.get();
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back the slot {@link #reserve} took. */
    void release() {
        active.decrementAndGet();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return address.host();
    }

    @Override
    public int port() {
        return address.port();
    }

    @Override
    public int weight() {
        return address.weight();
    }

    @Override
    public boolean backup() {
        return address.backup();
    }

    @Override
    public int activeConnections() {
        return active.get();
    }

    @Override
    public String toString() {
        return name();
    }
}
