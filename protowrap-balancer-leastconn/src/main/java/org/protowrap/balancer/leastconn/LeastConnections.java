package org.protowrap.balancer.leastconn;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;

/**
 * Least connections, weighted: chooses the candidate with the fewest active connections per
 * unit of weight, so that with long-lived connections a backend of weight 3 carries three times
 * the connections of a backend of weight 1. Loads are compared by cross-multiplication
 * ({@code a.active * b.weight < b.active * a.weight}), exact and without division.
 *
 * <p>Candidates with the same load share the turn: a counter walks through them in proportion
 * to their weights, so idle backends do not all go to the first one and weights still count
 * while every backend is idle (which is the usual state when connections are short).
 *
 * <p>Limits: it sees only the connections made through this wrapper, not the backend's other
 * clients, nor how busy a connection is; a backend that has just come back up has no
 * connections and takes the next ones until it has caught up. The counter is shared by all
 * tie groups and advanced by concurrent picks, so the rotation is fair over many picks rather
 * than strictly ordered. Lock-free: each pick reads each candidate's count once.
 */
final class LeastConnections implements Balancer {

    private final AtomicLong turns = new AtomicLong();

    @Override
    public Optional<Backend> choose(List<Backend> candidates, InetAddress client) {
        int[] active = activeCounts(candidates);
        int least = leastLoaded(candidates, active);
        long tiedWeight = 0;
        for (int i = 0; i < active.length; i++) {
            if (sameLoad(candidates, active, i, least)) {
                tiedWeight += candidates.get(i).weight();
            }
        }
        long turn = Math.floorMod(turns.getAndIncrement(), tiedWeight);
        return Optional.of(candidates.get(tiedAt(candidates, active, least, turn)));
    }

    /** One reading of the live counters, so that every comparison in a pick sees the same loads. */
    private static int[] activeCounts(List<Backend> candidates) {
        int[] active = new int[candidates.size()];
        for (int i = 0; i < active.length; i++) {
            active[i] = candidates.get(i).activeConnections();
        }
        return active;
    }

    private static int leastLoaded(List<Backend> candidates, int[] active) {
        int least = 0;
        for (int i = 1; i < active.length; i++) {
            if (compareLoad(candidates, active, i, least) < 0) {
                least = i;
            }
        }
        return least;
    }

    /** The index of the tied candidate whose share of the tied weight contains {@code turn}. */
    private static int tiedAt(List<Backend> candidates, int[] active, int least, long turn) {
        long remaining = turn;
        for (int i = 0; i < active.length; i++) {
            if (sameLoad(candidates, active, i, least)) {
                remaining -= candidates.get(i).weight();
                if (remaining < 0) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("turn " + turn + " is beyond the tied weight");
    }

    private static boolean sameLoad(List<Backend> candidates, int[] active, int i, int j) {
        return compareLoad(candidates, active, i, j) == 0;
    }

    /** Compares {@code active[i] / weight(i)} with {@code active[j] / weight(j)} without dividing. */
    private static int compareLoad(List<Backend> candidates, int[] active, int i, int j) {
        return Long.compare((long) active[i] * candidates.get(j).weight(), (long) active[j] * candidates.get(i).weight());
    }
}
