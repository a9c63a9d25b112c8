package org.protowrap.engine.config;

import org.protowrap.api.Backend;

/**
 * One {@code destAddr} entry as configured. Implements {@link Backend} with no live state, so a
 * balancer can be built from configuration alone (by {@code protowrap check}).
 *
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param port the entry's port, or {@code destPort}
 * @param weight relative share, at least 1
 * @param backup used only while no primary is up
 * @param maxConnections at most this many connections at once; 0 for no limit
 */
public record BackendAddress(String host, int port, int weight, boolean backup, int maxConnections)
        implements Backend {

    @Override
    public String name() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public int activeConnections() {
        return 0;
    }
}
