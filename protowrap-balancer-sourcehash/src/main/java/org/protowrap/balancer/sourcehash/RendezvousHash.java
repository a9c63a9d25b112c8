package org.protowrap.balancer.sourcehash;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;

/**
 * Source hashing by weighted rendezvous (highest random weight) hashing: every candidate gets a
 * score from a hash of the client's address and the backend's name, and the highest score wins.
 * The score is {@code -weight / ln(u)}, with {@code u} the hash taken as a number in (0, 1), which
 * makes a backend win for a share of clients equal to its share of the total weight.
 *
 * <p>A client keeps its backend as long as the set of candidates is the same, in any order.
 * When a backend leaves, only its clients move, spread over the others by weight; when one of
 * n joins, it takes about 1/n of the clients (its share of the weight) and nobody else moves.
 * Backends are hashed by {@link Backend#name()}, so a reload that keeps a backend keeps its
 * clients, and a restart of ProtoWrap changes nothing. Stateless, hence thread-safe; a pick
 * costs one hash and one logarithm per candidate.
 *
 * <p>Limits: it balances clients, not connections: many clients behind one NAT or proxy land
 * on one backend, and a busy client is not spread. It ignores load. A client whose address
 * changes (mobile networks, IPv4 and IPv6 on one host) may change backend. A backend that is
 * down or full is not a candidate, so its clients go elsewhere meanwhile and come back to it
 * when it returns. Changing a backend's name (another port, a hostname for an address) or its
 * weight moves clients as if it had been replaced.
 */
final class RendezvousHash implements Balancer {

    /** 2^-53: turns the top 53 bits of a hash into a double in [0, 1). */
    private static final double UNIT = 0x1.0p-53;

    @Override
    public Optional<Backend> choose(List<Backend> candidates, InetAddress client) {
        long clientHash = StableHash.of(client.getAddress());
        Backend best = candidates.get(0);
        double bestScore = score(best, clientHash);
        for (Backend b : candidates.subList(1, candidates.size())) {
            double s = score(b, clientHash);
            if (s > bestScore) {
                best = b;
                bestScore = s;
            }
        }
        return Optional.of(best);
    }

    /** The weighted rendezvous score of a backend for one client: higher wins. */
    private static double score(Backend backend, long clientHash) {
        long h = StableHash.mix(clientHash ^ StableHash.of(backend.name()));
        // Half a step up keeps u strictly inside (0, 1), so ln(u) is finite and negative.
        double u = ((h >>> 11) + 0.5) * UNIT;
        return -backend.weight() / Math.log(u);
    }
}
