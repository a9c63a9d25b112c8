package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reloads that change a wrapper: its listening sockets, its limits and what the log says. */
@Timeout(120)
class ReloadEndToEndTest {

    private static final int RELOADS = 20;

    @TempDir
    Path dir;

    @Test
    void aChangedWrapperKeepsItsListeningSocketsSoNoClientIsRefusedByAReload() throws Exception {
        int port = TestConfig.freePort();
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(write(port, backend, "5m"))) {
            InetSocketAddress address = server.address("w");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger exchanges = new AtomicInteger();
            AtomicReference<String> failure = new AtomicReference<>();
            Thread client = Thread.ofPlatform().start(() -> {
                while (running.get() && failure.get() == null) {
                    try (Socket socket = Traffic.connect(address)) {
                        Traffic.write(socket, "ping\n");
                        String answer = TestBackend.reader(socket).readLine();
                        if (!"ping".equals(answer)) {
                            failure.set("answer: " + answer);
                        }
                        exchanges.incrementAndGet();
                    } catch (IOException e) {
                        failure.set(e.toString());
                    }
                }
            });
            for (int i = 1; i <= RELOADS; i++) {
                write(port, backend, (i % 2 == 0 ? 5 : 6) + "m");
                assertTrue(server.server().reload());
                int before = exchanges.get();
                RelayEndToEndTest.awaitTrue(() -> exchanges.get() > before + 5 || failure.get() != null);
            }
            running.set(false);
            client.join(20_000);
            assertEquals(null, failure.get(), "a client failed during reloads after " + exchanges.get() + " exchanges");
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("wrapper=w changed: idleTimeout 5m -> 6m;")),
                    () -> "the reload log does not say what changed: " + logs.messages());
        }
    }

    @Test
    void connectionsOfEveryGenerationCountAgainstMaxConnections() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(write(port, backend, "5m", "maxConnections: 2\n"))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    held.add(Traffic.connect(server.address("w")));
                    assertEquals("held", exchange(held.getLast(), "held"));
                }
                for (int i = 0; i < 3; i++) {
                    write(port, backend, (i % 2 == 0 ? 6 : 5) + "m", "maxConnections: 2\n");
                    assertTrue(server.server().reload());
                    try (Socket extra = Traffic.connect(server.address("w"))) {
                        assertTrue(refused(extra), "a third connection got through after reload " + (i + 1));
                    }
                }
                held.removeFirst().close();
                RelayEndToEndTest.awaitTrue(() -> server.server().activeConnections() == 1);
                try (Socket next = Traffic.connect(server.address("w"))) {
                    assertEquals("next", exchange(next, "next"));
                }
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aWrapperThatCannotMoveKeepsServingWhereItWas() throws Exception {
        int port = TestConfig.freePort();
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                RunningServer server = RunningServer.start(write(port, backend, "5m"))) {
            TestConfig.write(dir, TestConfig.lineWrapper(taken.getLocalPort(), backend.address(), "idleTimeout: 5m\n")
                    .replace("protocol: line", "protocol: smtp"));
            assertTrue(server.server().reload());
            assertEquals(port, server.address("w").getPort());
            try (Socket client = Traffic.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                assertEquals("still", exchange(client, "still"));
            }
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("still serving on 127.0.0.1:" + port
                    + " with the previous settings")), () -> "the log does not say the wrapper stayed: " + logs.messages());
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("0 added, 0 changed, 1 kept as before")),
                    () -> "the reload summary does not say the change was not applied: " + logs.messages());
            var status = server.server().status().wrappers().get(0);
            assertEquals("line", status.protocol(), "the status shows the settings being served");
            assertEquals("127.0.0.1:" + port, status.listen());
        }
    }

    private Path write(int port, TestBackend backend, String idle, String... extra) throws IOException {
        return TestConfig.write(dir, TestConfig.lineWrapper(port, backend.address(),
                "idleTimeout: " + idle + "\n" + String.join("", extra)));
    }

    /** Whether the wrapper closed the connection instead of relaying a line (a reset counts as closed). */
    private static boolean refused(Socket client) {
        try {
            Traffic.write(client, "extra\n");
            return TestBackend.reader(client).readLine() == null;
        } catch (IOException e) {
            return true;
        }
    }

    private static String exchange(Socket client, String line) throws IOException {
        Traffic.write(client, line + "\n");
        return TestBackend.reader(client).readLine();
    }
}
