package org.protowrap.balancer.leastconn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.MapOptions;
import org.protowrap.testkit.StubBackend;

class LeastConnectionsTest {

    private static Balancer balancer(List<Backend> backends) {
        return new LeastConnProvider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    private static StubBackend pick(Balancer b, List<Backend> candidates) {
        return (StubBackend) b.choose(candidates, InetAddress.getLoopbackAddress()).orElseThrow();
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
            pick(b, candidates).connectionOpened();
        }
    }

    @Test
    void picksTheLeastLoaded() {
        List<Backend> all = List.of(new StubBackend("a", 1, 5), new StubBackend("b", 1, 2), new StubBackend("c", 1, 7));
        assertEquals("bbbbb", picks(balancer(all), all, 5));
    }

    @Test
    void loadIsCountedPerUnitOfWeight() {
        // a: 4 connections over weight 4 = 1 each; b: 2 over weight 1 = 2 each.
        List<Backend> all = List.of(new StubBackend("a", 4, 4), new StubBackend("b", 1, 2));
        assertEquals("aaa", picks(balancer(all), all, 3));
    }

    @Test
    void longLivedConnectionsAreSharedInProportionToWeight() {
        StubBackend a = new StubBackend("a", 3, 0);
        StubBackend b = new StubBackend("b", 1, 0);
        StubBackend c = new StubBackend("c", 2, 0);
        List<Backend> all = List.of(a, b, c);
        openLongLived(balancer(all), all, 6000);
        assertTrue(Math.abs(a.activeConnections() - 3000) <= 3, "a: " + a.activeConnections());
        assertTrue(Math.abs(b.activeConnections() - 1000) <= 3, "b: " + b.activeConnections());
        assertTrue(Math.abs(c.activeConnections() - 2000) <= 3, "c: " + c.activeConnections());
    }

    @Test
    void aBackendThatWasDownCatchesUpBeforeTheOthersGetMore() {
        StubBackend a = new StubBackend("a", 1, 50);
        StubBackend b = new StubBackend("b", 1, 50);
        StubBackend back = new StubBackend("n", 1, 0);
        List<Backend> all = List.of(a, b, back);
        openLongLived(balancer(all), all, 50);
        assertEquals(List.of(50, 50, 50), List.of(a.activeConnections(), b.activeConnections(), back.activeConnections()));
    }

    @Test
    void tiesRotateRatherThanAlwaysTakingTheFirst() {
        List<Backend> all = List.of(new StubBackend("a", 1, 2), new StubBackend("b", 1, 2), new StubBackend("c", 1, 2));
        assertEquals("abcabcabc", picks(balancer(all), all, 9));
    }

    @Test
    void tiesRotateOnlyAmongTheLeastLoaded() {
        List<Backend> all = List.of(new StubBackend("a", 1, 0), new StubBackend("b", 1, 9), new StubBackend("c", 1, 0));
        assertEquals("acacac", picks(balancer(all), all, 6));
    }

    @Test
    void tiesAmongIdleBackendsFollowTheWeights() {
        List<Backend> all = List.of(new StubBackend("a", 3, 0), new StubBackend("b", 1, 0));
        String sequence = picks(balancer(all), all, 400);
        assertEquals(300, sequence.chars().filter(ch -> ch == 'a').count(), sequence);
    }

    @Test
    void aSingleCandidateIsChosen() {
        List<Backend> one = List.of(new StubBackend("a", 1, 1000));
        assertEquals("aaa", picks(balancer(one), one, 3));
    }
}
