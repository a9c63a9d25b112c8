package org.protowrap.api;

import java.net.InetSocketAddress;

/**
 * What a validator may know about the connection it validates.
 *
 * @param wrapper the wrapper's name, as configured
 * @param client the client's address (for {@code inetd} mode without a socket, the
 *     loopback address with port 0)
 * @param connectionId a number unique within the process, also printed in the engine's logs
 */
public record SessionInfo(String wrapper, InetSocketAddress client, long connectionId) {}
