package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.testkit.Eventually;

/** The relay end to end: real sockets on loopback, real backends, the {@code line} validator. */
@Timeout(60)
class RelayEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void relaysLargeTransfersBothWaysIntact() throws Exception {
        byte[] up = Traffic.block(1);
        byte[] down = Traffic.block(2);
        int times = 1024; // 64 MiB each way
        AtomicReference<Traffic.Received> atBackend = new AtomicReference<>();
        try (TestBackend backend = TestBackend.start(socket -> {
                    Thread writer = Thread.ofVirtual().start(() -> {
                        try {
                            Traffic.send(socket.getOutputStream(), down, times);
                            socket.shutdownOutput();
                        } catch (IOException e) {
                            // the reader's result shows it
                        }
                    });
                    atBackend.set(Traffic.receive(socket.getInputStream()));
                    writer.join();
                });
                RunningServer server = RunningServer.start(config(backend.address(), ""));
                Socket client = Traffic.connect(server.address("w"))) {
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    Traffic.send(client.getOutputStream(), up, times);
                    client.shutdownOutput();
                } catch (IOException e) {
                    // the backend's digest shows it
                }
            });
            Traffic.Received atClient = Traffic.receive(client.getInputStream());
            sender.join();
            assertEquals(new Traffic.Received(64L << 20, Traffic.digestOf(down, times)), atClient);
            awaitTrue(() -> atBackend.get() != null);
            assertEquals(new Traffic.Received(64L << 20, Traffic.digestOf(up, times)), atBackend.get());
        }
    }

    @Test
    void halfCloseStillDeliversTheWholeReply() throws Exception {
        try (TestBackend backend = TestBackend.start(socket -> {
                    BufferedReader in = TestBackend.reader(socket);
                    int lines = 0;
                    while (in.readLine() != null) {
                        lines++;
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(("lines=" + lines + "\n").repeat(1000).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                });
                RunningServer server = RunningServer.start(config(backend.address(), ""));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "one line\n".repeat(1000));
            client.shutdownOutput();
            assertEquals("lines=1000\n".repeat(1000), Traffic.readToEnd(client));
        }
    }

    @Test
    void bothSocketsOfAHalfClosedExchangeAreReleased() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), ""))) {
            echoWithHalfClose(server, 0); // loads what the first connection needs
            long before = openDescriptors();
            for (int i = 1; i <= 20; i++) {
                echoWithHalfClose(server, i);
            }
            // the relay closes such sockets after its next select, not within the exchange
            awaitTrue(() -> openDescriptors() <= before);
        }
    }

    private static void echoWithHalfClose(RunningServer server, int i) throws IOException {
        try (Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "echo " + i + "\n");
            client.shutdownOutput();
            assertEquals("echo " + i + "\n", Traffic.readToEnd(client));
        }
    }

    /** This process's open file descriptors (Linux). */
    private static long openDescriptors() {
        try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRefusingBackendIsSkippedForTheNext() throws Exception {
        int closedPort = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("live");
                RunningServer server = RunningServer.start(
                        config("[127.0.0.1:" + closedPort + ", " + backend.address() + "]", ""))) {
            for (int i = 0; i < 4; i++) {
                try (Socket client = Traffic.connect(server.address("w"))) {
                    Traffic.write(client, "hello " + i + "\n");
                    assertEquals("live: hello " + i, TestBackend.reader(client).readLine());
                }
            }
            assertEquals(4, backend.accepted());
        }
    }

    @Test
    void allBackendsDownClosesTheClientWithoutAWord() throws Exception {
        String down = "[127.0.0.1:" + TestConfig.freePort() + ", 127.0.0.1:" + TestConfig.freePort() + "]";
        try (RunningServer server = RunningServer.start(config(down, ""));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "anyone?\n");
            assertEquals("", Traffic.readToEnd(client));
        }
    }

    @Test
    void allBackendsDownSendsTheProtocolsRefusal() throws Exception {
        String down = "[127.0.0.1:" + TestConfig.freePort() + ", 127.0.0.1:" + TestConfig.freePort() + "]";
        try (RunningServer server = startRefusing(down, "");
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "anyone?\n");
            assertEquals("refused: NO_BACKEND\n", Traffic.readToEnd(client));
        }
    }

    @Test
    void aClientOverTheLimitGetsTheProtocolsRefusal() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = startRefusing(backend.address(), "maxConnections: 1\n");
                Socket first = Traffic.connect(server.address("w"))) {
            // admitted before the second connects: each loop accepts on its own socket, so two
            // connections made at once may be accepted in either order
            assertEquals("b: 1", Dispatch.exchange(first, "1"));
            try (Socket second = Traffic.connect(server.address("w"))) {
                assertEquals("refused: TOO_MANY_CONNECTIONS\n", Traffic.readToEnd(second));
            }
        }
    }

    @Test
    void aTimedOutClientGetsTheProtocolsRefusal() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = startRefusing(backend.address(), "requestTimeout: 500ms\n");
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "no line end");
            assertEquals("refused: TIMEOUT\n", Traffic.readToEnd(client));
        }
    }

    @ParameterizedTest(name = "testReply {0}, session between units {1}, after an exchange {2}: refused {3}")
    @CsvSource({
            "false, true, false, true",
            "false, true, true, false",
            "true, true, true, true",
            "true, false, true, false"})
    void aClientCutAtTheEndOfTheShutdownGraceIsToldWhereItCanTellARefusalFromTheServersBytes(boolean testReply,
            boolean betweenUnits, boolean exchangeFirst, boolean refused) throws Exception {
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(),
                    "testReply: " + testReply + "\n").replace("shutdownGrace: 5s", "shutdownGrace: 300ms"));
            RunningServer server = startRefusing(file, betweenUnits);
            try (Socket client = Traffic.connect(server.address("w"))) {
                if (exchangeFirst) {
                    assertEquals("b: 1", Dispatch.exchange(client, "1"));
                }
                awaitTrue(() -> server.server().activeConnections() == 1);
                Thread stopping = Thread.ofVirtual().start(server::close);
                assertEquals(refused ? "refused: SHUTTING_DOWN\n" : "", Traffic.readToEnd(client));
                stopping.join();
            }
        }
    }

    private RunningServer startRefusing(String destAddr, String extra) throws Exception {
        return startRefusing(config(destAddr, extra), true);
    }

    private RunningServer startRefusing(Path file, boolean betweenUnits) throws Exception {
        Configuration loaded = ConfigLoader.forHome(dir).load(file);
        Configuration refusing = new Configuration(loaded.settings(), loaded.wrappers().stream()
                .map(w -> new Wrapper(w.config(), new Refusing(w.validator(), betweenUnits), w.balancing()))
                .toList(), loaded.registry());
        return RunningServer.start(refusing, dir);
    }

    @Test
    void aBackendResetMidStreamClosesTheClient() throws Exception {
        try (TestBackend backend = TestBackend.start(socket -> {
                    BufferedReader in = TestBackend.reader(socket);
                    in.readLine();
                    socket.getOutputStream().write("partial\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                    socket.setSoLinger(true, 0);
                    socket.close();
                });
                RunningServer server = RunningServer.start(config(backend.address(), ""));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "go\n");
            assertEquals("partial", TestBackend.reader(client).readLine());
            Traffic.write(client, "ack\n");
            assertEquals("", Traffic.readToEnd(client));
            awaitTrue(() -> server.server().activeConnections() == 0);
        }
    }

    @Test
    void aBackendThatStopsReadingIsCutAfterServerTimeoutAndTheConnectionReleased() throws Exception {
        CountDownLatch faultEnds = new CountDownLatch(1);
        try (TestBackend backend = TestBackend.start(socket -> faultEnds.await()); // accepts, never reads
                RunningServer server = RunningServer.start(config(backend.address(), "serverTimeout: 500ms\n"));
                Socket client = Traffic.connect(server.address("w"))) {
            byte[] line = ("x".repeat(99) + "\n").getBytes(StandardCharsets.US_ASCII);
            AtomicLong written = new AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    while (true) {
                        out.write(line);
                        written.addAndGet(line.length);
                    }
                } catch (IOException e) {
                    // the wrapper cut the connection
                }
            });
            // the client's bytes fill the backend's buffers, then the wrapper's, then stop moving
            awaitStall(written);
            awaitTrue(() -> server.server().activeConnections() == 0);
            writer.join();
            faultEnds.countDown();
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsAtMostAReadsWorthInTheWrapper() throws Exception {
        byte[] block = Traffic.block(3);
        int times = 1024;
        AtomicLong sent = new AtomicLong();
        try (TestBackend backend = TestBackend.start(socket -> {
                    TestBackend.reader(socket).readLine();
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < times; i++) {
                        out.write(block);
                        sent.addAndGet(block.length);
                    }
                    socket.shutdownOutput();
                });
                RunningServer server = RunningServer.start(config(backend.address(), ""));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "send everything\n");
            long stalledAt = awaitStall(sent);
            assertTrue(stalledAt < (long) times * block.length, "the backend should be held back, sent " + stalledAt);
            long mostPending = 0;
            for (int i = 0; i < 10; i++) {
                mostPending = Math.max(mostPending, server.server().pendingBytes());
                Thread.sleep(20);
            }
            assertTrue(mostPending <= 64 * 1024, "pending bytes in the wrapper: " + mostPending);
            assertTrue(mostPending > 0, "the wrapper should hold what the client's socket did not take");
            Traffic.Received received = Traffic.receive(client.getInputStream());
            assertEquals(new Traffic.Received((long) times * block.length, Traffic.digestOf(block, times)), received);
        }
    }

    @Test
    void limitsPerWrapperAreEnforced() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(config(backend.address(),
                        "maxConnections: 2\nmaxConnectionsPerClient: 0\n"));
                Socket first = Traffic.connect(server.address("w"));
                Socket second = Traffic.connect(server.address("w"))) {
            assertEquals("b: 1", Dispatch.exchange(first, "1"));
            assertEquals("b: 2", Dispatch.exchange(second, "2"));
            try (Socket third = Traffic.connect(server.address("w"))) {
                Traffic.write(third, "3\n");
                assertEquals("", Traffic.readToEnd(third));
            }
            first.shutdownOutput();
            assertEquals("", Traffic.readToEnd(first));
            awaitTrue(() -> server.server().activeConnections() == 1);
            try (Socket fourth = Traffic.connect(server.address("w"))) {
                assertEquals("b: 4", Dispatch.exchange(fourth, "4"));
            }
            assertEquals(3, backend.accepted());
        }
    }

    @Test
    void limitsPerClientAddressAreEnforced() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(config(backend.address(), "maxConnectionsPerClient: 1\n"));
                Socket first = Traffic.connect(server.address("w"))) {
            assertEquals("b: 1", Dispatch.exchange(first, "1"));
            try (Socket second = Traffic.connect(server.address("w"))) {
                Traffic.write(second, "2\n");
                assertEquals("", Traffic.readToEnd(second));
            }
            InetSocketAddress wrapper = server.address("w");
            try (Socket other = new Socket(wrapper.getAddress(), wrapper.getPort(),
                    InetAddress.getByName("127.0.0.2"), 0)) {
                other.setSoTimeout(15_000);
                assertEquals("b: 3", Dispatch.exchange(other, "3"));
            }
        }
    }

    @Test
    void aSlowClientIsCutBeforeAnyBackendIsContacted() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(config(backend.address(), "requestTimeout: 1s\n"));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "a line that never ends");
            assertEquals("", Traffic.readToEnd(client));
            assertEquals(0, backend.accepted());
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(config(backend.address(), "idleTimeout: 1s\n"));
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("b: hi", Dispatch.exchange(client, "hi"));
            assertEquals("", Traffic.readToEnd(client));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "truncate, 'short\nxxxxxxxxxxxxxx\nafter\n', 'short\nxxxxxxxxxxxxxx\nafter\n'",
        "reject,   'short\nafter\n',                 'short\nafter\n'",
        "close,    'short\n',                        ''"
    })
    void lineValidatorPoliciesApplyEndToEnd(String policy, String forwarded, String echoedAfterFirst)
            throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (TestBackend backend = TestBackend.start(socket -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    byte[] buffer = new byte[1024];
                    for (int n = socket.getInputStream().read(buffer); n >= 0;
                            n = socket.getInputStream().read(buffer)) {
                        all.write(buffer, 0, n);
                        socket.getOutputStream().write(buffer, 0, n);
                    }
                    received.add(all.toString(StandardCharsets.UTF_8));
                });
                RunningServer server = RunningServer.start(config(backend.address(),
                        "maxLineLength: 16\noptions: {overlong: " + policy + "}\n"));
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("short", Dispatch.exchange(client, "short"));
            Traffic.write(client, "x".repeat(40) + "\nafter\n");
            client.shutdownOutput();
            assertEquals(echoedAfterFirst.replaceFirst("^short\n", ""), Traffic.readToEnd(client));
            awaitTrue(() -> received.size() == 1);
            assertEquals(forwarded, received.get(0));
        }
    }

    @Test
    void aServerFirstProtocolGreetsBeforeTheClientSpeaks() throws Exception {
        try (TestBackend backend = TestBackend.start(socket -> {
                    socket.getOutputStream().write("hello from the server\n".getBytes(StandardCharsets.UTF_8));
                    socket.getInputStream().transferTo(socket.getOutputStream());
                });
                RunningServer server = RunningServer.start(config(backend.address(), "options: {serverFirst: true}\n"));
                Socket client = Traffic.connect(server.address("w"))) {
            BufferedReader in = TestBackend.reader(client);
            assertEquals("hello from the server", in.readLine());
            Traffic.write(client, "and back\n");
            assertEquals("and back", in.readLine());
        }
    }

    @Test
    void aBackendNamedByHostNameIsResolvedWhenConnecting() throws Exception {
        try (TestBackend backend = TestBackend.named("by-name");
                RunningServer server = RunningServer.start(config("localhost:" + backend.port(), ""));
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("by-name: hi", Dispatch.exchange(client, "hi"));
        }
    }

    @Test
    void relaysOverIpv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket probe;
        try {
            probe = new ServerSocket(0, 1, v6);
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        int port = probe.getLocalPort();
        probe.close();
        try (ServerSocket backend = new ServerSocket(0, 5, v6)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = backend.accept()) {
                    String line = TestBackend.reader(s).readLine();
                    s.getOutputStream().write(("v6: " + line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the client's read shows it
                }
            });
            Path file = TestConfig.write(dir, TestConfig.lineWrapper(port, "\"[::1]:" + backend.getLocalPort() + "\"", "")
                    .replace("listenAddr: 127.0.0.1", "listenAddr: \"::1\""));
            try (RunningServer server = RunningServer.start(file);
                    Socket client = Traffic.connect(new InetSocketAddress(v6, port))) {
                assertEquals("v6: six", Dispatch.exchange(client, "six"));
            }
        }
    }

    @Test
    void aPipeDestinationRunsTheProgramPerConnection() throws Exception {
        Path script = dir.resolve("lines.sh");
        Files.writeString(script, """
                while IFS= read -r line; do echo "pipe: $line"; done
                echo "stdin closed" >&2
                """);
        Path file = TestConfig.write(dir, """
                allowRoot: true
                wrappers:
                  - name: w
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destType: pipe
                    destCommand: [/bin/sh, %s]
                """.formatted(TestConfig.freePort(), script));
        try (RunningServer server = RunningServer.start(file)) {
            for (int i = 0; i < 2; i++) {
                try (Socket client = Traffic.connect(server.address("w"))) {
                    Traffic.write(client, "a" + i + "\nb" + i + "\n");
                    client.shutdownOutput();
                    assertEquals("pipe: a" + i + "\npipe: b" + i + "\n", Traffic.readToEnd(client));
                }
            }
        }
    }

    // ---- shared steps

    private Path config(String destAddr, String extra) throws IOException {
        return TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), destAddr, extra));
    }

    /** Waits until the count stops growing for a while; returns it. */
    private static long awaitStall(AtomicLong count) throws InterruptedException {
        long last = -1;
        int still = 0;
        while (still < 5) {
            Thread.sleep(50);
            long now = count.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        assertTrue(Eventually.poll(Duration.ofSeconds(10), condition::getAsBoolean, met -> met), "condition not met in time");
    }

    /**
     * The line validator with a refusal of its own, as a protocol validator would have, and
     * sessions that say whether the client is between units.
     */
    private record Refusing(Validator line, boolean betweenUnits) implements Validator {
        @Override
        public ValidatorSession newSession(SessionInfo session) {
            ValidatorSession inner = line.newSession(session);
            return new ValidatorSession() {
                @Override
                public void onStart(Decisions out) {
                    inner.onStart(out);
                }

                @Override
                public void onClientData(ByteBuffer data, Decisions out) {
                    inner.onClientData(data, out);
                }

                @Override
                public void onServerData(ByteBuffer data, Decisions out) {
                    inner.onServerData(data, out);
                }

                @Override
                public void onClientEnd(Decisions out) {
                    inner.onClientEnd(out);
                }

                @Override
                public void onServerEnd(Decisions out) {
                    inner.onServerEnd(out);
                }

                @Override
                public boolean mayRefuseNow() {
                    return betweenUnits;
                }
            };
        }

        @Override
        public boolean serverSpeaksFirst() {
            return false;
        }

        @Override
        public Optional<byte[]> refusal(Refusal reason) {
            return Optional.of(("refused: " + reason + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
