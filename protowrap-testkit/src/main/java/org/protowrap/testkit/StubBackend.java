package org.protowrap.testkit;

import org.protowrap.api.Backend;

/**
 * A {@link Backend} as a balancer sees it, for a balancer's tests: a name, a weight and a count of
 * active connections that the test keeps, at {@code 127.0.0.1} port 1 with no server behind it,
 * never a backup. Not thread-safe: a test that chooses from several threads counts apart.
 */
public final class StubBackend implements Backend {

    private final String name;
    private final int weight;
    private int activeConnections;

    /** A backend without connections. */
    public StubBackend(String name, int weight) {
        this(name, weight, 0);
    }

    /** A backend with {@code activeConnections} open. */
    public StubBackend(String name, int weight, int activeConnections) {
        this.name = name;
        this.weight = weight;
        this.activeConnections = activeConnections;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return 1;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public boolean backup() {
        return false;
    }

    @Override
    public int activeConnections() {
        return activeConnections;
    }

    /** One more connection is open to it, as when a balancer chose it for a connection that stays. */
    public void connectionOpened() {
        activeConnections++;
    }

    @Override
    public String toString() {
        return name;
    }
}
