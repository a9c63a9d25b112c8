package org.protowrap.engine.relay;

import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.api.Backend;
import org.protowrap.engine.config.BackendAddress;

/** A configured backend with its live connection count, as balancers see it. */
final class LiveBackend implements Backend {

    private final BackendAddress address;
    private final AtomicInteger active = new AtomicInteger();

    LiveBackend(BackendAddress address) {
        this.address = address;
    }

    BackendAddress address() {
        return address;
    }

    void opened() {
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    @Override
    public String name() {
        return address.name();
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
