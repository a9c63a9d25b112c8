package org.protowrap.balancer.roundrobin;

import java.net.InetAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;

/**
 * Nginx's smooth weighted round-robin: each pick adds every candidate's weight to its current
 * score, takes the highest, and subtracts the total from the winner. Weights 5:1:1 give
 * {@code a a b a c a a} rather than five a's in a row; equal weights give strict rotation in
 * configuration order.
 *
 * <p>Only candidates accumulate score, so a backend that was down does not come back with a
 * burst of saved-up turns. Picks are serialised by a lock: the critical section is a loop over
 * the candidates, far cheaper than the connection it serves.
 */
final class SmoothWeightedRoundRobin implements Balancer {

    private final Map<Backend, long[]> current = new IdentityHashMap<>();

    @Override
    public synchronized Optional<Backend> choose(List<Backend> candidates, InetAddress client) {
        Backend best = null;
        long bestScore = Long.MIN_VALUE;
        long total = 0;
        for (Backend b : candidates) {
            long[] score = current.computeIfAbsent(b, k -> new long[1]);
            score[0] += b.weight();
            total += b.weight();
            if (score[0] > bestScore) {
                best = b;
                bestScore = score[0];
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        current.get(best)[0] -= total;
        return Optional.of(best);
    }
}
