package org.protowrap.engine.config;

import java.net.InetAddress;
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

    /** Whether {@code host} is written as an IP address (IPv6 holds a colon, IPv4 digits and dots only), not a name. */
    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    /** Whether {@code host} is a name, or an IP literal that is a valid address. */
    static boolean isValidHost(String host) {
        if (!isIpLiteral(host)) {
            return true;
        }
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
