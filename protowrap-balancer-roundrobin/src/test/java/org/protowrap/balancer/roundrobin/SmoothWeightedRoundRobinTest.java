package org.protowrap.balancer.roundrobin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.MapOptions;
import org.protowrap.testkit.StubBackend;

class SmoothWeightedRoundRobinTest {

    private static String picks(Balancer b, List<Backend> candidates, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(b.choose(candidates, InetAddress.getLoopbackAddress()).orElseThrow().name());
        }
        return s.toString();
    }

    private static Balancer balancer(List<Backend> backends) {
        return new RoundRobinProvider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    @Test
    void equalWeightsRotateStrictlyInConfigurationOrder() {
        List<Backend> all = List.of(new StubBackend("a", 1), new StubBackend("b", 1), new StubBackend("c", 1));
        assertEquals("abcabcabc", picks(balancer(all), all, 9));
    }

    @Test
    void weightsAreSpreadSmoothly() {
        List<Backend> all = List.of(new StubBackend("a", 5), new StubBackend("b", 1), new StubBackend("c", 1));
        assertEquals("aabacaa".repeat(3), picks(balancer(all), all, 21));
    }

    @Test
    void aBackendThatIsNotACandidateIsSkippedAndDoesNotSaveUpTurns() {
        Backend a = new StubBackend("a", 1);
        Backend b = new StubBackend("b", 1);
        Backend c = new StubBackend("c", 1);
        Balancer balancer = balancer(List.of(a, b, c));
        String withoutB = picks(balancer, List.of(a, c), 6);
        assertEquals("acacac", withoutB);
        List<String> after = new ArrayList<>();
        for (char ch : picks(balancer, List.of(a, b, c), 6).toCharArray()) {
            after.add(String.valueOf(ch));
        }
        assertEquals(2, after.stream().filter("b"::equals).count(), "b must get its share, no burst: " + after);
    }
}
