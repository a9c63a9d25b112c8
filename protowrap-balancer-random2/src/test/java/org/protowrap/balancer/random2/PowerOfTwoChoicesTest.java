package org.protowrap.balancer.random2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;

/**
 * The balancer draws from {@link java.util.concurrent.ThreadLocalRandom}, which cannot be seeded,
 * so the statistical tests take large samples and bounds of several standard deviations: they
 * fail for a policy that ignores load or weight, and practically never by chance.
 */
class PowerOfTwoChoicesTest {

    /** A backend whose connection count the test sets, or raises on each pick to model long-lived connections. */
    static final class TestBackend implements Backend {
        private final String name;
        private final int weight;
        int active;

        TestBackend(String name, int weight, int active) {
            this.name = name;
            this.weight = weight;
            this.active = active;
        }

        public String name() { return name; }
        public String host() { return "127.0.0.1"; }
        public int port() { return 1; }
        public int weight() { return weight; }
        public boolean backup() { return false; }
        public int activeConnections() { return active; }
        @Override public String toString() { return name; }
    }

    private static Balancer balancer(List<Backend> backends) {
        return new Random2Provider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    private static TestBackend pick(Balancer b, List<Backend> candidates) {
        return (TestBackend) b.choose(candidates, InetAddress.getLoopbackAddress()).orElseThrow();
    }

    private static Map<Backend, Integer> count(Balancer b, List<Backend> candidates, int picks, boolean longLived) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            TestBackend chosen = pick(b, candidates);
            if (longLived) {
                chosen.active++;
            }
            counts.merge(chosen, 1, Integer::sum);
        }
        return counts;
    }

    private static void assertShare(Map<Backend, Integer> counts, Backend b, int picks, double expected, double tolerance) {
        double share = counts.getOrDefault(b, 0) / (double) picks;
        assertTrue(Math.abs(share - expected) <= tolerance,
                b.name() + " got " + share + " of the picks, expected " + expected + " +- " + tolerance + ": " + counts);
    }

    @Test
    void alwaysReturnsOneOfTheCandidates() {
        TestBackend a = new TestBackend("a", 1, 3);
        TestBackend b = new TestBackend("b", 2, 0);
        TestBackend c = new TestBackend("c", 1, 9);
        TestBackend d = new TestBackend("d", 5, 1);
        TestBackend e = new TestBackend("e", 1, 0);
        Balancer balancer = balancer(List.of(a, b, c, d, e));
        List<Backend> candidates = List.of(a, c, d);
        for (int i = 0; i < 1000; i++) {
            Backend chosen = pick(balancer, candidates);
            assertTrue(candidates.contains(chosen), chosen.name() + " is not a candidate");
        }
    }

    @Test
    void aSingleCandidateIsChosenHoweverLoaded() {
        TestBackend only = new TestBackend("a", 1, 1_000_000);
        Balancer balancer = balancer(List.of(only));
        for (int i = 0; i < 10; i++) {
            assertEquals(only, pick(balancer, List.of(only)));
        }
    }

    @Test
    void theMoreLoadedABackendTheLessOftenItIsChosen() {
        TestBackend idle = new TestBackend("idle", 1, 0);
        TestBackend light = new TestBackend("light", 1, 10);
        TestBackend busy = new TestBackend("busy", 1, 20);
        TestBackend heavy = new TestBackend("heavy", 1, 500);
        List<Backend> all = List.of(idle, light, busy, heavy);
        int picks = 12_000;
        Map<Backend, Integer> counts = count(balancer(all), all, picks, false);
        // Of the six equally likely pairs, each backend wins those with a more loaded partner.
        assertShare(counts, idle, picks, 3.0 / 6, 0.03);
        assertShare(counts, light, picks, 2.0 / 6, 0.03);
        assertShare(counts, busy, picks, 1.0 / 6, 0.03);
        assertEquals(0, counts.getOrDefault(heavy, 0), "the most loaded backend was chosen: " + counts);
    }

    @Test
    void longLivedConnectionsAreSharedInProportionToWeight() {
        TestBackend a = new TestBackend("a", 3, 0);
        TestBackend b = new TestBackend("b", 1, 0);
        TestBackend c = new TestBackend("c", 1, 0);
        List<Backend> all = List.of(a, b, c);
        int picks = 5000;
        Map<Backend, Integer> counts = count(balancer(all), all, picks, true);
        assertShare(counts, a, picks, 3.0 / 5, 0.01);
        assertShare(counts, b, picks, 1.0 / 5, 0.01);
        assertShare(counts, c, picks, 1.0 / 5, 0.01);
    }

    @Test
    void equallyLoadedPairsAreSettledByWeight() {
        TestBackend heavy = new TestBackend("heavy", 3, 0);
        TestBackend light = new TestBackend("light", 1, 0);
        List<Backend> both = List.of(heavy, light);
        int picks = 8000;
        Map<Backend, Integer> counts = count(balancer(both), both, picks, false);
        // Standard deviation about 0.5% of the picks.
        assertShare(counts, heavy, picks, 3.0 / 4, 0.03);
    }
}
