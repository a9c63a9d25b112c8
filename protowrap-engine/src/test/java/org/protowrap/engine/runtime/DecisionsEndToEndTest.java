package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.engine.config.AccessLogFormat;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.logging.AccessLog;

/**
 * The engine's side of {@link Decisions}, driven by a scripted validator: every client write is
 * one command (the tests wait for each answer, so writes are not merged).
 */
@Timeout(60)
class DecisionsEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void closeSendsTheReplyFirst() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("HELLO", exchange(client, "hello"));
            Traffic.write(client, "BYE\n");
            assertEquals("bye\n", Traffic.readToEnd(client));
        }
    }

    @Test
    void abortServerResetsTheBackendAndALaterSendConnectsAnew() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (TestBackend backend = lineLogging(seen);
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("ONE", exchange(client, "one"));
            assertEquals("aborted", exchange(client, "ABORT"));
            RelayEndToEndTest.awaitTrue(() -> seen.contains("(reset)"));
            assertEquals("TWO", exchange(client, "two"));
            assertEquals(2, backend.accepted());
            assertEquals(List.of("one", "(reset)", "two"), seen);
        }
    }

    @Test
    void afterRelayRawNothingIsInterpreted() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("SHOUT", exchange(client, "shout"));
            assertEquals("raw now", exchange(client, "RAW"));
            assertEquals("BYE", exchange(client, "BYE"));
            assertEquals("quiet", exchange(client, "quiet"));
        }
    }

    @Test
    void aReplySentAfterRelayRawInTheSameCallStillReachesTheClient() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("raw after", exchange(client, "RAW LATE"));
            assertEquals("quiet", exchange(client, "quiet"));
        }
    }

    @Test
    void aFailingValidatorEndsOnlyItsOwnConnection() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket healthy = Traffic.connect(server.address("w"));
                Socket failing = Traffic.connect(server.address("w"))) {
            assertEquals("BEFORE", exchange(healthy, "before"));
            Traffic.write(failing, "THROW\n");
            assertEquals("", Traffic.readToEnd(failing));
            assertEquals("AFTER", exchange(healthy, "after"));
        }
    }

    @Test
    void withTestReplyServerBytesGoThroughTheSession() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "quiet\n");
            client.shutdownOutput();
            assertEquals("QUIET\n", Traffic.readToEnd(client).replace("(server ended)", ""));
        }
    }

    @Test
    void withoutTestReplyServerBytesAreRelayedUntouched() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, false);
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "quiet\n");
            client.shutdownOutput();
            assertEquals("quiet\n", Traffic.readToEnd(client));
        }
    }

    @Test
    void theServerEndReachesTheSessionWithTestReply() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "x\n");
            client.shutdownOutput();
            String all = Traffic.readToEnd(client);
            assertTrue(all.endsWith("(server ended)"), all);
        }
    }

    @Test
    void factsTheSessionDescribesEndTheConnectionLine() throws Exception {
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("described", exchange(client, "DESCRIBE"));
            client.shutdownOutput();
            Traffic.readToEnd(client);
            RelayEndToEndTest.awaitTrue(() -> logs.messages().stream().anyMatch(m -> m.contains("outcome=")));
            String ended = logs.messages().stream().filter(m -> m.contains("outcome=")).findFirst().orElseThrow();
            assertTrue(ended.endsWith("outcome=closed verb=second target=\"/a b\\\"c\\r\\n\""), ended);
        }
    }

    @Test
    void aSessionMovedOffARemovedBackendSendsItsNextUnitToABackendThatRemains() throws Exception {
        try (TestBackend a = TestBackend.named("a");
                TestBackend b = TestBackend.named("b");
                RunningServer server = start(a, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("A: FIRST", exchange(client, "first"));
            assertEquals("movable", exchange(client, "MOVABLE"));
            TestConfig.write(dir, TestConfig.lineWrapper(server.address("w").getPort(), b.address(), "testReply: true\n"));
            assertTrue(server.server().reload());
            assertEquals("B: SECOND", exchange(client, "second"));
            assertEquals("B: THIRD", exchange(client, "third"));
        }
    }

    @Test
    void eachExchangeTheSessionCompletesGetsItsOwnAccessLineWithItsBytesAndFacts() throws Exception {
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("exchanged alpha", exchange(client, "EXCHANGE alpha"));
            assertEquals("exchanged b", exchange(client, "EXCHANGE b"));
            RelayEndToEndTest.awaitTrue(() -> logs.messages().stream().filter(m -> m.contains(" exchange=")).count() == 2);
            List<String> lines = logs.messages().stream().filter(m -> m.contains(" exchange=")).toList();
            assertTrue(lines.get(0).matches("wrapper=w conn=\\d+ exchange=1 client=127\\.0\\.0\\.1:\\d+ backend=- up=0 "
                    + "down=16 duration=\\d+ms verb=alpha"), lines.get(0));
            assertTrue(lines.get(1).matches(".* exchange=2 .* up=0 down=12 duration=\\d+ms verb=b"), lines.get(1));
        }
    }

    @Test
    void accessLinesAreJsonObjectsWhenTheConfigurationAsksForThem() throws Exception {
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true, "", "accessLog: json\n");
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("exchanged alpha", exchange(client, "EXCHANGE alpha"));
            client.shutdownOutput();
            Traffic.readToEnd(client);
            RelayEndToEndTest.awaitTrue(() -> logs.messages().stream().anyMatch(m -> m.contains("\"event\":\"connection\"")));
            String exchangeLine = logs.messages().stream().filter(m -> m.contains("\"event\":\"exchange\"")).findFirst()
                    .orElseThrow();
            assertTrue(exchangeLine.matches("\\{\"time\":\"[^\"]+\",\"event\":\"exchange\",\"wrapper\":\"w\",\"conn\":\\d+,"
                    + "\"exchange\":1,\"client\":\"127\\.0\\.0\\.1:\\d+\",\"backend\":\"-\",\"up\":0,\"down\":16,"
                    + "\"durationMs\":\\d+,\"verb\":\"alpha\"}"), exchangeLine);
            String ended = logs.messages().stream().filter(m -> m.contains("\"event\":\"connection\"")).findFirst()
                    .orElseThrow();
            assertTrue(ended.contains("\"outcome\":\"closed\",\"verb\":\"alpha\"}"), ended);
        } finally {
            AccessLog.use(AccessLogFormat.TEXT);
        }
    }

    @Test
    void aServerThatOwesAnAnswerAndStaysSilentEndsTheConnectionWithTheGatewaysRefusal() throws Exception {
        try (TestBackend silent = TestBackend.start(socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
                RunningServer server = start(silent, true, "serverTimeout: 300ms\n");
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "ASK question\n");
            assertEquals("refused SERVER_TIMEOUT\n", Traffic.readToEnd(client));
        }
    }

    @Test
    void aSilentServerThatOwesNothingIsLeftAlone() throws Exception {
        try (TestBackend silent = TestBackend.start(socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
                RunningServer server = start(silent, true, "serverTimeout: 300ms\n");
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "tell\n");
            client.setSoTimeout(1_000);
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
        }
    }

    @Test
    void aServerResetIsTheEndOfItsSideForTheSessionWhichMayStillAnswerTheClient() throws Exception {
        try (TestBackend backend = TestBackend.start(socket -> {
                    TestBackend.reader(socket).readLine();
                    socket.setSoLinger(true, 0);
                    socket.close();
                });
                RunningServer server = start(backend, true);
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "ASK go\n");
            assertEquals("(server ended)", Traffic.readToEnd(client));
        }
    }

    @Test
    void aUnitTheSessionOpensAfterTheFirstIsTimedByRequestTimeout() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true, "requestTimeout: 300ms\n");
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("FIRST", exchange(client, "first"));
            Traffic.write(client, "OPEN\n");
            assertEquals("opened\nrefused TIMEOUT\n", Traffic.readToEnd(client));
        }
    }

    @Test
    void aStoppingServerAsksEachSessionToEndAtItsNextBoundary() throws Exception {
        Socket client;
        try (TestBackend backend = TestBackend.echo(); RunningServer server = start(backend, true, "")) {
            client = Traffic.connect(server.address("w"));
            assertEquals("HI", exchange(client, "hi"));
        }
        // the grace is 5s; the session's own words show it ended the connection, not the grace's end
        assertEquals("draining\n", Traffic.readToEnd(client));
        client.close();
    }

    @Test
    void aReloadThatRemovesABackendEndsItsConnectionsAtTheirNextBoundary() throws Exception {
        try (TestBackend removed = TestBackend.echo();
                TestBackend kept = TestBackend.named("kept");
                RunningServer server = start(removed, true, "");
                Socket onRemoved = Traffic.connect(server.address("w"))) {
            assertEquals("HI", exchange(onRemoved, "hi"));
            TestConfig.write(dir, TestConfig.lineWrapper(server.address("w").getPort(), kept.address(),
                    "testReply: true\n"));
            assertTrue(server.server().reload());
            assertEquals("draining\n", Traffic.readToEnd(onRemoved));
            // the reloaded configuration runs the plain line validator: the backend's own answer
            try (Socket onKept = Traffic.connect(server.address("w"))) {
                assertEquals("kept: again", exchange(onKept, "again"));
            }
        }
    }

    private RunningServer start(TestBackend backend, boolean testReply) throws Exception {
        return start(backend, testReply, "");
    }

    /** Echoes every line and records it, then each connection's end as {@code (end)} or {@code (reset)}. */
    private static TestBackend lineLogging(List<String> seen) throws IOException {
        return TestBackend.start(socket -> {
            BufferedReader in = TestBackend.reader(socket);
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    seen.add(line);
                    socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                seen.add("(end)");
            } catch (SocketException e) {
                seen.add("(reset)");
            }
        });
    }

    @Test
    void aBackendConnectionLeftIdleServesTheNextClientAndExpiresWithTheDefaultKeepAlive() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        // one I/O thread: a kept connection serves the clients of its own thread
        try (TestBackend backend = lineLogging(seen); RunningServer server = start(backend, true, "", "ioThreads: 1\n")) {
            try (Socket first = Traffic.connect(server.address("w"))) {
                leaveIdle(first, "one");
            }
            try (Socket second = Traffic.connect(server.address("w"))) {
                assertEquals("TWO", exchange(second, "two"));
                assertEquals(1, backend.accepted(), "the second client took the first one's backend connection");
                assertEquals("idle", exchange(second, "IDLE"));
                second.shutdownOutput();
                assertEquals("", Traffic.readToEnd(second), "the client's end ends its connection at once");
            }
            assertEquals(List.of("one", "two"), seen, "the server saw no end while the connection was kept");
            long kept = System.nanoTime();
            RelayEndToEndTest.awaitTrue(() -> seen.contains("(end)"));
            long keptMillis = (System.nanoTime() - kept) / 1_000_000;
            assertTrue(keptMillis > 500 && keptMillis < 3_000, "kept for serverKeepAlive (1s): " + keptMillis + " ms");
            assertEquals(1, backend.accepted());
        }
    }

    @Test
    void aBackendConnectionIsNotKeptOnceBytesWentToItAfterItWasIdle() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        // the server answers only lines that start with "ask": what else it is sent leaves nothing to read
        try (TestBackend backend = TestBackend.start(socket -> {
                    BufferedReader in = TestBackend.reader(socket);
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        seen.add(line);
                        if (line.startsWith("ask")) {
                            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                });
                // one I/O thread, so that the second client would find a kept connection
                RunningServer server = start(backend, true, "", "ioThreads: 1\n")) {
            try (Socket first = Traffic.connect(server.address("w"))) {
                assertEquals("ASK ONE", exchange(first, "ask one"));
                assertEquals("idle", exchange(first, "IDLE"));
                Traffic.write(first, "unanswered\n");
                RelayEndToEndTest.awaitTrue(() -> seen.contains("unanswered"));
                Traffic.write(first, "BYE\n");
                assertEquals("bye\n", Traffic.readToEnd(first));
            }
            try (Socket second = Traffic.connect(server.address("w"))) {
                assertEquals("ASK TWO", exchange(second, "ask two"));
            }
            assertEquals(2, backend.accepted(), "the server may still answer what it was sent after the idle mark");
        }
    }

    @Test
    void theKeepAliveCountsFromWhenTheBackendWentIdleNotFromTheClientsEnd() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (TestBackend backend = lineLogging(seen); RunningServer server = start(backend, true, "", "ioThreads: 1\n")) {
            try (Socket client = Traffic.connect(server.address("w"))) {
                assertEquals("ONE", exchange(client, "one"));
                assertEquals("idle", exchange(client, "IDLE"));
                Thread.sleep(800); // the client stays, its backend connection idle
                Traffic.write(client, "BYE\n");
                assertEquals("bye\n", Traffic.readToEnd(client));
            }
            long ended = System.nanoTime();
            RelayEndToEndTest.awaitTrue(() -> seen.contains("(end)"));
            long keptMillis = (System.nanoTime() - ended) / 1_000_000;
            // 1 s from the idle mark is about 0.2 s after the client's end; 1 s after it would be wrong
            assertTrue(keptMillis < 700, "kept " + keptMillis + " ms after the client's end");
        }
    }

    @Test
    void aKeptConnectionTheServerClosedIsNotHandedOut() throws Exception {
        // the server answers one line per connection, and closes when the test says
        CountDownLatch closeNow = new CountDownLatch(1);
        List<String> closed = new CopyOnWriteArrayList<>();
        try (TestBackend backend = TestBackend.start(socket -> {
                    String line = TestBackend.reader(socket).readLine();
                    socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    closeNow.await();
                    closed.add(line);
                });
                RunningServer server = start(backend, true, "", "ioThreads: 1\n")) {
            try (Socket first = Traffic.connect(server.address("w"))) {
                leaveIdle(first, "one");
            }
            closeNow.countDown();
            RelayEndToEndTest.awaitTrue(() -> closed.contains("one"));
            try (Socket second = Traffic.connect(server.address("w"))) {
                assertEquals("TWO", exchange(second, "two"));
            }
            assertEquals(2, backend.accepted());
        }
    }

    @Test
    void serverKeepAliveZeroNeverKeepsOne() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = start(backend, true, "serverKeepAlive: 0s\n", "ioThreads: 1\n")) {
            for (String word : List.of("one", "two")) {
                try (Socket client = Traffic.connect(server.address("w"))) {
                    leaveIdle(client, word);
                }
            }
            assertEquals(2, backend.accepted());
        }
    }

    /** One echoed exchange, then the backend connection declared idle, then the client's connection ended. */
    private static void leaveIdle(Socket client, String word) throws IOException {
        assertEquals(word.toUpperCase(Locale.ROOT), exchange(client, word));
        assertEquals("idle", exchange(client, "IDLE"));
        Traffic.write(client, "BYE\n");
        assertEquals("bye\n", Traffic.readToEnd(client));
    }

    private RunningServer start(TestBackend backend, boolean testReply, String extra) throws Exception {
        return start(backend, testReply, extra, "");
    }

    /** {@code extra} goes into the wrapper, {@code topLevel} after it. */
    private RunningServer start(TestBackend backend, boolean testReply, String extra, String topLevel) throws Exception {
        Path file = TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(),
                "testReply: " + testReply + "\n" + extra) + topLevel);
        Configuration loaded = ConfigLoader.forHome(dir).load(file);
        Configuration scripted = new Configuration(loaded.settings(), loaded.wrappers().stream()
                .map(w -> new Wrapper(w.config(), new Scripted(), w.balancing())).toList(), loaded.registry());
        return RunningServer.start(scripted, dir);
    }

    private static String exchange(Socket client, String command) throws IOException {
        Traffic.write(client, command + "\n");
        return TestBackend.reader(client).readLine();
    }

    /**
     * Commands: BYE (reply, reject, close), ABORT (abort the server, reply), RAW (reply, stop inspecting),
     * RAW LATE (stop inspecting, then reply), THROW (a validator bug), DESCRIBE (facts for the log), OPEN (a unit the client must finish), MOVABLE
     * (a removed backend is dropped rather than the connection drained), IDLE (the backend
     * connection could serve another client), ASK ...
 * (sent on, and the server owes an answer); when drained it says so and closes;
     * anything else goes to the server. Server bytes come back in upper case.
     */
    private static final class Scripted implements Validator {
        @Override
        public ValidatorSession newSession(SessionInfo session) {
            return new ValidatorSession() {
                /** Set by MOVABLE: a removed backend is dropped and the client moved, instead of a drain. */
                private boolean movable;

                @Override
                public void onBackendRemoved(Decisions out) {
                    if (movable) {
                        out.abortServer();
                    } else {
                        onDrain(out);
                    }
                }

                @Override
                public void onClientData(ByteBuffer data, Decisions out) {
                    String command = StandardCharsets.UTF_8.decode(data.duplicate()).toString().strip();
                    switch (command) {
                        case "BYE" -> {
                            out.sendToClient(bytes("bye\n"));
                            out.report(new Violation("test.bye", RuleMode.ENFORCE, "said bye", command));
                            out.close();
                            out.sendToClient(bytes("ignored after close\n"));
                        }
                        case "ABORT" -> {
                            out.abortServer();
                            out.sendToClient(bytes("aborted\n"));
                        }
                        case "THROW" -> throw new IllegalStateException("a validator bug");
                        case "OPEN" -> {
                            out.clientUnitStarted();
                            out.sendToClient(bytes("opened\n"));
                        }
                        case "DESCRIBE" -> {
                            out.describe("verb", "first");
                            out.describe("target", "/a b\"c\r\n");
                            out.describe("verb", "second");
                            out.describe("Not A Key", "dropped");
                            out.sendToClient(bytes("described\n"));
                        }
                        case String c when c.startsWith("EXCHANGE ") -> {
                            out.clientUnitStarted();
                            out.describe("verb", c.substring("EXCHANGE ".length()));
                            out.sendToClient(bytes("exchanged " + c.substring("EXCHANGE ".length()) + "\n"));
                            out.clientUnitComplete();
                            out.exchangeComplete();
                        }
                        case "IDLE" -> {
                            out.serverIdle();
                            out.sendToClient(bytes("idle\n"));
                        }
                        case "MOVABLE" -> {
                            movable = true;
                            out.sendToClient(bytes("movable\n"));
                        }
                        case "RAW" -> {
                            out.sendToClient(bytes("raw now\n"));
                            out.relayRaw("the test asked");
                        }
                        case "RAW LATE" -> {
                            out.relayRaw("the test asked");
                            out.sendToClient(bytes("raw after\n"));
                        }
                        default -> {
                            if (command.startsWith("ASK ")) {
                                out.awaitingServer(true);
                            }
                            out.sendToServer(data);
                        }
                    }
                    data.position(data.limit());
                }

                @Override
                public void onDrain(Decisions out) {
                    out.sendToClient(bytes("draining\n"));
                    out.close();
                }

                @Override
                public void onServerData(ByteBuffer data, Decisions out) {
                    out.awaitingServer(false);
                    out.sendToClient(bytes(StandardCharsets.UTF_8.decode(data).toString().toUpperCase(Locale.ROOT)));
                }

                @Override
                public void onServerEnd(Decisions out) {
                    out.sendToClient(bytes("(server ended)"));
                }
            };
        }

        @Override
        public boolean serverSpeaksFirst() {
            return false;
        }

        @Override
        public Optional<byte[]> refusal(Refusal reason) {
            return Optional.of(("refused " + reason + "\n").getBytes(StandardCharsets.UTF_8));
        }

        private static ByteBuffer bytes(String text) {
            return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
