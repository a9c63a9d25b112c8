package org.protowrap.api;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A load-balancing policy for one wrapper. Thread-safe: the engine calls {@link #choose} from
 * several I/O threads at once.
 *
 * <p>The engine decides which backends may be chosen (up, not yet tried for this connection,
 * primaries before backups, under their connection limit); the balancer only chooses among
 * them. It never connects anywhere.
 */
public interface Balancer {

    /**
     * Chooses the backend for a new connection.
     *
     * @param candidates the backends that may be chosen, never empty, a subset of the
     *     configured ones in configuration order
     * @param client the client's address, for policies that keep a client on one backend
     * @return one of the candidates; empty only if the policy refuses them all
     */
    Optional<Backend> choose(List<Backend> candidates, InetAddress client);
}
