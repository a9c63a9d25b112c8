package org.protowrap.engine.config;

import org.protowrap.api.Backend;

/**
 * One {@code destAddr} entry as the wrapper's balancer knows it, from the moment the configuration
 * is loaded: the balancer is built once, over these objects, and keeps seeing the same ones while
 * the wrapper runs ({@link Backend} promises a stable identity). Until the running wrapper
 * {@linkplain #attach attaches} its live backend, the weight is the configured one and no
 * connection is open; afterwards both are the live backend's.
 */
public final class BalancedBackend implements Backend {

    private final BackendAddress address;
    private volatile Backend live;

    BalancedBackend(BackendAddress address) {
        this.address = address;
    }

    /** Reports {@code running}'s weight and connections from now on. */
    public void attach(Backend running) {
        live = running;
    }

    public BackendAddress address() {
        return address;
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
        Backend running = live;
        return running == null ? address.weight() : running.weight();
    }

    @Override
    public boolean backup() {
        return address.backup();
    }

    @Override
    public int activeConnections() {
        Backend running = live;
        return running == null ? 0 : running.activeConnections();
    }
}
