package org.protowrap.balancer.sourcehash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Backend;
import org.protowrap.api.Balancer;
import org.protowrap.api.BalancerConfig;
import org.protowrap.api.MapOptions;
import org.protowrap.testkit.StubBackend;

class RendezvousHashTest {

    private static final Backend A = new StubBackend("10.0.0.1:25", 1);
    private static final Backend B = new StubBackend("10.0.0.2:25", 1);
    private static final Backend C = new StubBackend("10.0.0.3:25", 1);
    private static final Backend D = new StubBackend("[2001:db8::4]:25", 1);

    private static final int CLIENTS = 10_000;

    private static Balancer balancer(List<Backend> backends) {
        return new SourceHashProvider().create(new BalancerConfig("t", backends, MapOptions.of(Map.of())));
    }

    private static Backend pick(Balancer b, List<Backend> candidates, InetAddress client) {
        return b.choose(candidates, client).orElseThrow();
    }

    /** Random client addresses from a fixed seed: every third one IPv6, the others IPv4. */
    private static List<InetAddress> clients(long seed) throws UnknownHostException {
        Random random = new Random(seed);
        List<InetAddress> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            byte[] address = new byte[i % 3 == 0 ? 16 : 4];
            random.nextBytes(address);
            clients.add(InetAddress.getByAddress(address));
        }
        return clients;
    }

    private static Map<InetAddress, Backend> assign(Balancer b, List<Backend> candidates, List<InetAddress> clients) {
        Map<InetAddress, Backend> assigned = new HashMap<>();
        for (InetAddress client : clients) {
            assigned.put(client, pick(b, candidates, client));
        }
        return assigned;
    }

    @Test
    void aClientAlwaysGetsTheSameBackend() throws Exception {
        List<Backend> all = List.of(A, B, C, D);
        Balancer balancer = balancer(all);
        for (InetAddress client : clients(1).subList(0, 200)) {
            Backend first = pick(balancer, all, client);
            for (int i = 0; i < 5; i++) {
                assertEquals(first, pick(balancer, all, client), client.toString());
            }
        }
    }

    @Test
    void theChoiceDependsOnTheClientNotOnCandidateOrderOrBalancerInstance() throws Exception {
        List<Backend> all = List.of(A, B, C, D);
        List<Backend> reversed = all.reversed();
        // New backend objects with the same names, as after a reload of the configuration.
        List<Backend> reloaded = all.stream().<Backend>map(b -> new StubBackend(b.name(), b.weight())).toList();
        Balancer balancer = balancer(all);
        Balancer afterReload = balancer(reloaded);
        for (InetAddress client : clients(2).subList(0, 1000)) {
            Backend chosen = pick(balancer, all, client);
            assertEquals(chosen, pick(balancer, reversed, client), client.toString());
            assertEquals(chosen.name(), pick(afterReload, reloaded, client).name(), client.toString());
        }
    }

    @Test
    void clientsAreSpreadInProportionToWeight() throws Exception {
        Backend light = new StubBackend("10.0.0.1:80", 1);
        Backend middle = new StubBackend("10.0.0.2:80", 2);
        Backend heavy = new StubBackend("10.0.0.3:80", 5);
        List<Backend> all = List.of(light, middle, heavy);
        Map<Backend, Integer> counts = countPerBackend(assign(balancer(all), all, clients(3)));
        // Binomial standard deviation is at most 0.5% of 10,000 clients; 2.5% is five of them.
        assertShare(counts, light, 1.0 / 8, 0.025);
        assertShare(counts, middle, 2.0 / 8, 0.025);
        assertShare(counts, heavy, 5.0 / 8, 0.025);
    }

    @Test
    void equalWeightsSpreadEvenly() throws Exception {
        List<Backend> all = List.of(A, B, C, D);
        Map<Backend, Integer> counts = countPerBackend(assign(balancer(all), all, clients(4)));
        for (Backend b : all) {
            assertShare(counts, b, 0.25, 0.025);
        }
    }

    @Test
    void addingABackendMovesOnlyItsShareAndOnlyToIt() throws Exception {
        List<Backend> three = List.of(A, B, C);
        List<Backend> four = List.of(A, B, C, D);
        Balancer balancer = balancer(four);
        List<InetAddress> clients = clients(5);
        Map<InetAddress, Backend> before = assign(balancer, three, clients);
        Map<InetAddress, Backend> after = assign(balancer, four, clients);
        int kept = 0;
        for (InetAddress client : clients) {
            if (before.get(client).equals(after.get(client))) {
                kept++;
            } else {
                assertEquals(D, after.get(client), client + " moved, but not to the new backend");
            }
        }
        // Ideal: 3 of 4 stay.
        assertTrue(kept >= CLIENTS * 72 / 100, kept + " of " + CLIENTS + " kept their backend");
    }

    @Test
    void removingABackendMovesOnlyItsClients() throws Exception {
        List<Backend> four = List.of(A, B, C, D);
        List<Backend> withoutB = List.of(A, C, D);
        Balancer balancer = balancer(four);
        List<InetAddress> clients = clients(6);
        Map<InetAddress, Backend> before = assign(balancer, four, clients);
        Map<InetAddress, Backend> after = assign(balancer, withoutB, clients);
        int movedFromB = 0;
        for (InetAddress client : clients) {
            if (before.get(client).equals(B)) {
                movedFromB++;
            } else {
                assertEquals(before.get(client), after.get(client), client + " moved though its backend stayed");
            }
        }
        assertShare(Map.of(B, movedFromB), B, 0.25, 0.025);
    }

    private static Map<Backend, Integer> countPerBackend(Map<InetAddress, Backend> assigned) {
        Map<Backend, Integer> counts = new HashMap<>();
        assigned.values().forEach(b -> counts.merge(b, 1, Integer::sum));
        return counts;
    }

    private static void assertShare(Map<Backend, Integer> counts, Backend b, double expected, double tolerance) {
        double share = counts.getOrDefault(b, 0) / (double) CLIENTS;
        assertTrue(Math.abs(share - expected) <= tolerance,
                b.name() + " has " + share + " of the clients, expected " + expected + " +- " + tolerance);
    }
}
