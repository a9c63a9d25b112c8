package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.health.HealthState;

/**
 * Backends that go away and come back behind a real wrapper: retries the client does not see,
 * active and passive health, backups, per-backend limits, health kept across a reload.
 */
@Timeout(90)
class FailoverEndToEndTest {

    private static final String FAST_CHECKS = "healthCheck: {interval: 100ms, timeout: 1s, rise: 2, fall: 2}\n";

    @TempDir
    Path dir;

    private final List<TestBackend> backends = new ArrayList<>();

    private TestBackend backend(String name) throws Exception {
        TestBackend b = TestBackend.named(name);
        backends.add(b);
        return b;
    }

    private TestBackend restart(TestBackend stopped) throws Exception {
        TestBackend b = stopped.restarted();
        backends.add(b);
        return b;
    }

    @AfterEach
    void stopBackends() throws Exception {
        for (TestBackend b : backends) {
            b.close();
        }
    }

    private RunningServer serve(String destAddr, String extra) throws Exception {
        return RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), destAddr, extra)));
    }

    private static void awaitHealth(RunningServer server, TestBackend backend, HealthState state) throws Exception {
        RelayEndToEndTest.awaitTrue(() -> server.server().backendHealth("w", backend.address())
                .equals(Optional.of(state)));
    }

    @Test
    void aBackendThatStopsIsSkippedUnnoticedMarkedDownAndBackUpOnceRestarted() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        TestBackend c = backend("c");
        try (LogCapture log = new LogCapture();
                RunningServer server = serve(Dispatch.destAddr(List.of(a, b, c)), FAST_CHECKS)) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger served = new AtomicInteger();
            List<String> failures = new ArrayList<>();
            ConcurrentHashMap<String, Integer> answered = new ConcurrentHashMap<>();
            Thread clients = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        String name = Dispatch.whoAnswers(server.address("w"));
                        if (name.isEmpty()) {
                            failures.add("no answer");
                        }
                        answered.merge(name, 1, Integer::sum);
                        served.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            RelayEndToEndTest.awaitTrue(() -> served.get() >= 30);
            b.stopListening();
            awaitHealth(server, b, HealthState.DOWN);
            int atDown = served.get();
            long failedAtDown = failedConnects(log, b);
            RelayEndToEndTest.awaitTrue(() -> served.get() >= atDown + 30);
            // one client at a time: at most the connection in flight when b went down still tries it
            assertTrue(failedConnects(log, b) <= failedAtDown + 1, "a backend that is down is not tried");
            restart(b);
            awaitHealth(server, b, HealthState.UP);
            int bAtUp = answered.getOrDefault("b", 0);
            RelayEndToEndTest.awaitTrue(() -> answered.getOrDefault("b", 0) >= bAtUp + 5);
            running.set(false);
            clients.join();

            assertEquals(List.of(), failures, "failures seen by clients");
            assertTrue(log.messages().stream().anyMatch(m -> m.matches(
                    "wrapper=w backend=" + b.address() + " health UP -> DOWN: .*")), () -> String.join("\n", log.messages()));
            assertTrue(log.messages().stream().anyMatch(m -> m.matches(
                    "wrapper=w backend=" + b.address() + " health DOWN -> UP: 2 consecutive check\\(s\\) passed: TCP connect")),
                    () -> String.join("\n", log.messages()));
        }
    }

    private static long failedConnects(LogCapture log, TestBackend backend) {
        return log.messages().stream().filter(m -> m.contains("backend=" + backend.address() + " failed")).count();
    }

    @Test
    void backupsServeOnlyWhileEveryPrimaryIsDownAndHandBack() throws Exception {
        TestBackend one = backend("one");
        TestBackend two = backend("two");
        TestBackend spare = backend("spare");
        String destAddr = "[%s, %s, {addr: 127.0.0.1, port: %d, backup: true}]".formatted(one.address(), two.address(),
                spare.port());
        try (LogCapture log = new LogCapture(); RunningServer server = serve(destAddr, FAST_CHECKS)) {
            assertEquals(List.of("one", "two", "one", "two"), answers(server, 4));
            one.stopListening();
            awaitHealth(server, one, HealthState.DOWN);
            assertEquals(List.of("two", "two", "two"), answers(server, 3), "one primary is enough");
            two.stopListening();
            awaitHealth(server, two, HealthState.DOWN);
            assertEquals(List.of("spare", "spare", "spare"), answers(server, 3));
            assertEquals(0, failedConnects(log, one) + failedConnects(log, two), "primaries that are down are not tried");
            TestBackend back = restart(two);
            awaitHealth(server, back, HealthState.UP);
            assertEquals(List.of("two", "two", "two"), answers(server, 3), "the backup hands back");
        }
    }

    @Test
    void aBackendTakesNoMoreThanItsMaxConnections() throws Exception {
        TestBackend small = backend("small");
        TestBackend large = backend("large");
        String destAddr = "[{addr: 127.0.0.1, port: %d, maxConnections: 1}, {addr: 127.0.0.1, port: %d, maxConnections: 2}]"
                .formatted(small.port(), large.port());
        try (LogCapture log = new LogCapture(); RunningServer server = serve(destAddr, "")) {
            List<Dispatch.Held> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(Dispatch.hold(server.address("w")));
                }
                assertEquals(List.of("small", "large", "large"), held.stream().map(Dispatch.Held::name).toList());
                try (Socket refused = Traffic.connect(server.address("w"))) {
                    assertEquals("", Dispatch.exchange(refused, "no room"));
                }
                assertTrue(log.messages().stream().anyMatch(m -> m.contains(
                        "no backend after 0 attempt(s): 2 backend(s): 0 down, 2 at maxConnections")),
                        () -> String.join("\n", log.messages()));
                held.remove(0).close();
                RelayEndToEndTest.awaitTrue(() -> server.server().activeConnections() == 2);
                held.add(Dispatch.hold(server.address("w")));
                assertEquals("small", held.getLast().name());
                assertEquals(2, small.accepted(), "small took its second connection only after the first ended");
            } finally {
                for (Dispatch.Held h : held) {
                    h.close();
                }
            }
        }
    }

    @Test
    void withoutHealthChecksConnectFailuresTakeABackendDownAndItIsNotTriedMeanwhile() throws Exception {
        TestBackend live = backend("live");
        TestBackend gone = backend("gone");
        gone.stopListening();
        try (LogCapture log = new LogCapture();
                RunningServer server = serve(Dispatch.destAddr(List.of(gone, live)), "")) {
            for (int i = 0; i < 8; i++) {
                assertEquals("live", Dispatch.whoAnswers(server.address("w")));
            }
            assertEquals(Optional.of(HealthState.DOWN), server.server().backendHealth("w", gone.address()));
            assertEquals(3, failedConnects(log, gone), "three failures take it down; then it is no longer tried");
        }
    }

    @Test
    void aReloadKeepsTheHealthOfTheBackendsItKeeps() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        try (LogCapture log = new LogCapture();
                RunningServer server = serve(Dispatch.destAddr(List.of(a, b)), FAST_CHECKS)) {
            b.stopListening();
            awaitHealth(server, b, HealthState.DOWN);
            TestBackend c = backend("c");
            TestConfig.write(dir, TestConfig.lineWrapper(server.address("w").getPort(), Dispatch.destAddr(List.of(a, b, c)),
                    FAST_CHECKS));
            assertTrue(server.server().reload());
            assertEquals(Optional.of(HealthState.DOWN), server.server().backendHealth("w", b.address()));
            assertEquals(List.of("a", "c", "a", "c"), answers(server, 4));
            long transitions = log.messages().stream().filter(m -> m.startsWith("wrapper=w backend=" + b.address() + " health"))
                    .count();
            assertEquals(1, transitions, () -> String.join("\n", log.messages()));
        }
    }

    private static List<String> answers(RunningServer server, int count) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(Dispatch.whoAnswers(server.address("w")));
        }
        return names;
    }
}
