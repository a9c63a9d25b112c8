package org.protowrap.balancer.random2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.MapOptions;
import org.protowrap.testkit.StubBackend;

/**
 * The balancer draws from {@link java.util.concurrent.ThreadLocalRandom}, which cannot be seeded,
 * so the statistical tests take large samples and bounds of several standard deviations: they
 * fail for a policy that ignores load or weight, and practically never by chance.
 */
class PowerOfTwoChoicesTest {

    private static Balancer balancer(List<Backend> backends) {
        return new Random2Provider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    private static StubBackend pick(Balancer b, List<Backend> candidates) {
        return (StubBackend) b.choose(candidates, InetAddress.getLoopbackAddress()).orElseThrow();
    }

    private static Map<Backend, Integer> count(Balancer b, List<Backend> candidates, int picks, boolean longLived) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            StubBackend chosen = pick(b, candidates);
            if (longLived) {
                chosen.connectionOpened();
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
        StubBackend a = new StubBackend("a", 1, 3);
        StubBackend b = new StubBackend("b", 2, 0);
        StubBackend c = new StubBackend("c", 1, 9);
        StubBackend d = new StubBackend("d", 5, 1);
        StubBackend e = new StubBackend("e", 1, 0);
        Balancer balancer = balancer(List.of(a, b, c, d, e));
        List<Backend> candidates = List.of(a, c, d);
        for (int i = 0; i < 1000; i++) {
            Backend chosen = pick(balancer, candidates);
            assertTrue(candidates.contains(chosen), chosen.name() + " is not a candidate");
        }
    }

    @Test
    void aSingleCandidateIsChosenHoweverLoaded() {
        StubBackend only = new StubBackend("a", 1, 1_000_000);
        Balancer balancer = balancer(List.of(only));
        for (int i = 0; i < 10; i++) {
            assertEquals(only, pick(balancer, List.of(only)));
        }
    }

    @Test
    void theMoreLoadedABackendTheLessOftenItIsChosen() {
        StubBackend idle = new StubBackend("idle", 1, 0);
        StubBackend light = new StubBackend("light", 1, 10);
        StubBackend busy = new StubBackend("busy", 1, 20);
        StubBackend heavy = new StubBackend("heavy", 1, 500);
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
        StubBackend a = new StubBackend("a", 3, 0);
        StubBackend b = new StubBackend("b", 1, 0);
        StubBackend c = new StubBackend("c", 1, 0);
        List<Backend> all = List.of(a, b, c);
        int picks = 5000;
        Map<Backend, Integer> counts = count(balancer(all), all, picks, true);
        assertShare(counts, a, picks, 3.0 / 5, 0.01);
        assertShare(counts, b, picks, 1.0 / 5, 0.01);
        assertShare(counts, c, picks, 1.0 / 5, 0.01);
    }

    @Test
    void equallyLoadedPairsAreSettledByWeight() {
        StubBackend heavy = new StubBackend("heavy", 3, 0);
        StubBackend light = new StubBackend("light", 1, 0);
        List<Backend> both = List.of(heavy, light);
        int picks = 8000;
        Map<Backend, Integer> counts = count(balancer(both), both, picks, false);
        // Standard deviation about 0.5% of the picks.
        assertShare(counts, heavy, picks, 3.0 / 4, 0.03);
    }
}
