package org.protowrap.engine.relay;

import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.api.Backend;
import org.protowrap.engine.config.BackendAddress;
import org.protowrap.engine.health.BackendHealth;
import org.protowrap.engine.metrics.BackendMetrics;

/**
 * A configured backend as it runs: its health, its connections, and what the operator set for it
 * through the admin endpoint (drained, disabled, another weight), as balancers see it. A
 * connection takes a slot when the backend is chosen and holds it while connecting and
 * connected, so {@code maxConnections} also bounds connects in progress, and a balancer that
 * counts connections sees those too. What the operator set lasts as long as this generation of
 * the wrapper: a reload or restart goes back to the configuration.
 */
public final class LiveBackend implements Backend {

    /** What the operator set: serving, draining (no new connections), or disabled (none, and open ones asked to end). */
    public enum AdminState { ENABLED, DRAIN, DISABLED }

    private final BackendAddress address;
    /** Built once: logs and balancers ask for it on every connection. */
    private final String name;
    private final BackendHealth health;
    private final BackendMetrics metrics;
    private final AtomicInteger active = new AtomicInteger();
    private volatile AdminState adminState = AdminState.ENABLED;
    /** The operator's weight; 0 while the configured one holds. */
    private volatile int weightOverride;

    LiveBackend(BackendAddress address, BackendHealth health, BackendMetrics metrics) {
        this.address = address;
        this.health = health;
        this.metrics = metrics;
        this.name = address.name();
    }

    public BackendHealth health() {
        return health;
    }

    BackendMetrics metrics() {
        return metrics;
    }

    public BackendMetrics.Snapshot metricsSnapshot() {
        return metrics.snapshot();
    }

    public AdminState adminState() {
        return adminState;
    }

    public void adminState(AdminState state) {
        adminState = state;
    }

    /** Sets the weight until the next reload; 0 goes back to the configured one. */
    public void weightOverride(int weight) {
        weightOverride = weight;
    }

    /** Whether the operator set a weight other than the configuration's. */
    public boolean weightOverridden() {
        return weightOverride != 0;
    }

    public int configuredWeight() {
        return address.weight();
    }

    boolean takesNewConnections() {
        return adminState == AdminState.ENABLED;
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
        int override = weightOverride;
        return override != 0 ? override : address.weight();
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
