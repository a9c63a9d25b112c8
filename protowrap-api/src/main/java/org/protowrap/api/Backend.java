package org.protowrap.api;

/**
 * One server a wrapper can forward to, as a balancer sees it. Implemented by the engine; the
 * counters are live. Identity is stable for the wrapper's lifetime, so a balancer may key its
 * own state by the backend object.
 */
public interface Backend {

    /** {@code host:port} as configured ({@code [v6]:port} for IPv6), for logs. */
    String name();

    String host();

    int port();

    /** Relative share of new connections; 1 unless configured. At least 1. */
    int weight();

    /** Whether this is a backup server, used only while no primary is up. */
    boolean backup();

    /** Connections currently open to this backend through this wrapper. */
    int activeConnections();
}
