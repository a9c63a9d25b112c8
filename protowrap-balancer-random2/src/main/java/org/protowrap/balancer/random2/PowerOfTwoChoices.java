package org.protowrap.balancer.random2;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;

/**
 * The power of two random choices: draws two different candidates at random and takes the one
 * with fewer active connections per unit of weight (compared as
 * {@code a.active * b.weight < b.active * a.weight}). When both are equally loaded, one of them
 * is taken at random in proportion to their weights. With one candidate, that one.
 *
 * <p>It spreads load almost as evenly as least connections, but picks made at the same moment
 * (several I/O threads, connections not yet counted) do not all converge on the one least-loaded
 * backend, such as one that has just come back. A candidate more loaded than every other is
 * never chosen.
 *
 * <p>Limits: it is random, so a short run of picks can be uneven. The two draws are uniform, so
 * weights act through the load comparison: they are respected in proportion with long-lived
 * connections, but while every backend is idle (short connections) a heavier backend gets more
 * than an equal share and less than its weighted one. It sees only connections made through this
 * wrapper. Stateless apart from {@link ThreadLocalRandom}, hence thread-safe without locking.
 */
final class PowerOfTwoChoices implements Balancer {

    @Override
    public Optional<Backend> choose(List<Backend> candidates, InetAddress client) {
        if (candidates.size() == 1) {
            return Optional.of(candidates.getFirst());
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(candidates.size());
        // Draw from the others, so that the two are always different.
        int second = random.nextInt(candidates.size() - 1);
        if (second >= first) {
            second++;
        }
        return Optional.of(lessLoaded(candidates.get(first), candidates.get(second), random));
    }

    private static Backend lessLoaded(Backend a, Backend b, ThreadLocalRandom random) {
        int order = Long.compare((long) a.activeConnections() * b.weight(), (long) b.activeConnections() * a.weight());
        if (order != 0) {
            return order < 0 ? a : b;
        }
        return random.nextLong((long) a.weight() + b.weight()) < a.weight() ? a : b;
    }
}
