package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The balancers behind a real wrapper: three (or four) named backends on loopback, real clients. */
@Timeout(90)
class BalancingEndToEndTest {

    @TempDir
    Path dir;

    private final List<TestBackend> backends = new ArrayList<>();

    private List<TestBackend> start(String... names) throws Exception {
        for (String name : names) {
            backends.add(TestBackend.named(name));
        }
        return List.copyOf(backends);
    }

    @org.junit.jupiter.api.AfterEach
    void stopBackends() throws Exception {
        for (TestBackend b : backends) {
            b.close();
        }
    }

    private RunningServer serve(int port, String destAddr, String extra) throws Exception {
        return RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(port, destAddr, extra)));
    }

    @Test
    void roundRobinVisitsTheBackendsInConfigurationOrder() throws Exception {
        try (RunningServer server = serve(TestConfig.freePort(), Dispatch.destAddr(start("a", "b", "c")), "")) {
            List<String> answered = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                answered.add(Dispatch.whoAnswers(server.address("w")));
            }
            assertEquals(List.of("a", "b", "c", "a", "b", "c", "a", "b", "c"), answered);
        }
    }

    @Test
    void weightsThreeToOneShareFourHundredConnectionsThreeToOne() throws Exception {
        start("heavy", "light");
        String destAddr = "[{addr: 127.0.0.1, port: %d, weight: 3}, %s]".formatted(backends.get(0).port(),
                backends.get(1).address());
        try (RunningServer server = serve(TestConfig.freePort(), destAddr, "")) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 400; i++) {
                counts.merge(Dispatch.whoAnswers(server.address("w")), 1, Integer::sum);
            }
            int heavy = counts.getOrDefault("heavy", 0);
            assertEquals(400, heavy + counts.getOrDefault("light", 0), counts::toString);
            // smooth weighted round-robin is exact for one client at a time; allow 1% for the order it starts in
            assertTrue(heavy >= 296 && heavy <= 304, counts::toString);
        }
    }

    @Test
    void leastConnectionsSendsNewConnectionsToTheLeastLoaded() throws Exception {
        try (RunningServer server = serve(TestConfig.freePort(), Dispatch.destAddr(start("a", "b", "c")),
                "balancer: leastconn\n")) {
            List<Dispatch.Held> held = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    held.add(Dispatch.hold(server.address("w")));
                }
                Map<String, Long> load = countByName(held);
                assertEquals(Map.of("a", 2L, "b", 2L, "c", 2L), load);
                for (Dispatch.Held h : List.copyOf(held)) {
                    if (h.name().equals("b")) {
                        h.close();
                        held.remove(h);
                    }
                }
                RelayEndToEndTest.awaitTrue(() -> server.server().activeConnections() == 4);
                held.add(Dispatch.hold(server.address("w")));
                held.add(Dispatch.hold(server.address("w")));
                assertEquals(Map.of("a", 2L, "b", 2L, "c", 2L), countByName(held),
                        "both new connections went to b, which had none");
            } finally {
                for (Dispatch.Held h : held) {
                    h.close();
                }
            }
        }
    }

    private static Map<String, Long> countByName(List<Dispatch.Held> held) {
        Map<String, Long> counts = new HashMap<>();
        held.forEach(h -> counts.merge(h.name(), 1L, Long::sum));
        return counts;
    }

    @Test
    void sourceHashingMovesOnlyTheNewBackendsShareWhenOneIsAdded() throws Exception {
        int port = TestConfig.freePort();
        start("a", "b", "c");
        List<InetAddress> clients = new ArrayList<>();
        for (int i = 2; i < 66; i++) {
            clients.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
        }
        try (RunningServer server = serve(port, Dispatch.destAddr(backends), "balancer: sourcehash\n")) {
            Map<InetAddress, String> before = new HashMap<>();
            for (InetAddress client : clients) {
                before.put(client, Dispatch.whoAnswers(server.address("w"), client));
                assertEquals(before.get(client), Dispatch.whoAnswers(server.address("w"), client),
                        "a client keeps its backend");
            }
            assertEquals(3, before.values().stream().distinct().count(), before::toString);

            start("d");
            TestConfig.write(dir, TestConfig.lineWrapper(port, Dispatch.destAddr(backends), "balancer: sourcehash\n"));
            assertTrue(server.server().reload());
            int moved = 0;
            for (InetAddress client : clients) {
                String now = Dispatch.whoAnswers(server.address("w"), client);
                if (!now.equals(before.get(client))) {
                    assertEquals("d", now, () -> client + " moved between old backends");
                    moved++;
                }
            }
            // the new backend's share is 1/4: 16 of 64 on average; at least one, and 3 standard deviations at most
            assertTrue(moved >= 1 && moved <= 27, "moved: " + moved);
        }
    }
}
