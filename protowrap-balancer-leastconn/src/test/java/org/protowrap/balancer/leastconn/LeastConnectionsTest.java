package org.protowrap.balancer.leastconn;

import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;

class LeastConnectionsTest {

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
    }

    private static Balancer balancer(List<Backend> backends) {
        return new LeastConnProvider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    private static TestBackend pick(Balancer b, List<Backend> candidates) {
        return (TestBackend) b.choose(candidates, InetAddress.getLoopbackAddress()).orElseThrow();
    }

    private static String picks(Balancer b, List<Backend> candidates, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(pick(b, candidates).name());
        }
        return s.toString();
    }

    /** Picks n times, each pick opening a connection that stays open. */
    private static void openLongLived(Balancer b, List<Backend> candidates, int n) {
        for (int i = 0; i < n; i++) {
            pick(b, candidates).active++;
        }
    }

    @Test
    void picksTheLeastLoaded() {
        List<Backend> all = List.of(new TestBackend("a", 1, 5), new TestBackend("b", 1, 2), new TestBackend("c", 1, 7));
        assertEquals("bbbbb", picks(balancer(all), all, 5));
    }

    @Test
    void loadIsCountedPerUnitOfWeight() {
        // a: 4 connections over weight 4 = 1 each; b: 2 over weight 1 = 2 each.
        List<Backend> all = List.of(new TestBackend("a", 4, 4), new TestBackend("b", 1, 2));
        assertEquals("aaa", picks(balancer(all), all, 3));
    }

    @Test
    void longLivedConnectionsAreSharedInProportionToWeight() {
        TestBackend a = new TestBackend("a", 3, 0);
        TestBackend b = new TestBackend("b", 1, 0);
        TestBackend c = new TestBackend("c", 2, 0);
        List<Backend> all = List.of(a, b, c);
        openLongLived(balancer(all), all, 6000);
        assertTrue(Math.abs(a.active - 3000) <= 3, "a: " + a.active);
        assertTrue(Math.abs(b.active - 1000) <= 3, "b: " + b.active);
        assertTrue(Math.abs(c.active - 2000) <= 3, "c: " + c.active);
    }

    @Test
    void aBackendThatWasDownCatchesUpBeforeTheOthersGetMore() {
        TestBackend a = new TestBackend("a", 1, 50);
        TestBackend b = new TestBackend("b", 1, 50);
        TestBackend back = new TestBackend("n", 1, 0);
        List<Backend> all = List.of(a, b, back);
        openLongLived(balancer(all), all, 50);
        assertEquals(List.of(50, 50, 50), List.of(a.active, b.active, back.active));
    }

    @Test
    void tiesRotateRatherThanAlwaysTakingTheFirst() {
        List<Backend> all = List.of(new TestBackend("a", 1, 2), new TestBackend("b", 1, 2), new TestBackend("c", 1, 2));
        assertEquals("abcabcabc", picks(balancer(all), all, 9));
    }

    @Test
    void tiesRotateOnlyAmongTheLeastLoaded() {
        List<Backend> all = List.of(new TestBackend("a", 1, 0), new TestBackend("b", 1, 9), new TestBackend("c", 1, 0));
        assertEquals("acacac", picks(balancer(all), all, 6));
    }

    @Test
    void tiesAmongIdleBackendsFollowTheWeights() {
        List<Backend> all = List.of(new TestBackend("a", 3, 0), new TestBackend("b", 1, 0));
        String sequence = picks(balancer(all), all, 400);
        assertEquals(300, sequence.chars().filter(ch -> ch == 'a').count(), sequence);
    }

    @Test
    void aSingleCandidateIsChosen() {
        List<Backend> one = List.of(new TestBackend("a", 1, 1000));
        assertEquals("aaa", picks(balancer(one), one, 3));
    }
}
