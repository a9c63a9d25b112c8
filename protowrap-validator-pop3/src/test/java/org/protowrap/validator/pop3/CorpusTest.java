package org.protowrap.validator.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.validator.pop3.RecordingDecisions.Snapshot;
import org.protowrap.validator.pop3.SessionCase.Sender;
import org.protowrap.validator.pop3.SessionCase.Step;

/**
 * Runs every session of the corpus ({@code src/test/resources/corpus/*.pop3}) against the
 * validator without I/O: once with every input in one piece, then again with each input split
 * at random points. Outputs must be the expected ones every time. The seed is printed on
 * failure; {@code -Dpop3.corpus.seed=N} replays one.
 */
class CorpusTest {

    private static final Path CORPUS = Path.of("src", "test", "resources", "corpus");
    private static final int SPLIT_RUNS = 25;
    static final SessionInfo INFO = new SessionInfo("corpus", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);

    static Stream<SessionCase> cases() throws IOException {
        List<SessionCase> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pop3")).sorted().toList()) {
                all.addAll(SessionCase.load(file));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sessionGivesTheExpectedOutputsHoweverItsBytesAreSplit(SessionCase sessionCase) {
        run(sessionCase, null, "unsplit");
        long base = Long.getLong("pop3.corpus.seed", sessionCase.name().hashCode() * 31L + SPLIT_RUNS);
        for (int i = 0; i < SPLIT_RUNS; i++) {
            long seed = base + i;
            run(sessionCase, RandomGeneratorFactory.of("L64X128MixRandom").create(seed), "split with seed " + seed);
        }
    }

    private static void run(SessionCase c, RandomGenerator random, String how) {
        Pop3ValidatorProvider provider = new Pop3ValidatorProvider();
        ValidatorSession session = provider.create(c.config()).newSession(INFO);
        RecordingDecisions out = new RecordingDecisions();
        session.onStart(out);
        for (Step step : c.steps()) {
            feed(session, step, out, random);
            Snapshot got = out.take();
            String where = c + " line " + step.line() + ", " + how + ": ";
            assertEquals(show(step.toServer()), show(got.server()),
                    where + "bytes at the server");
            assertEquals(show(step.toClient()), show(got.client()),
                    where + "bytes at the client");
            assertEquals(step.reports(), got.reports().stream().map(CorpusTest::describe).toList(), where + "reports");
            assertEquals(step.controls(), got.controls(), where + "controls");
        }
        assertEquals(0, out.ignored(), c + ", " + how + ": decisions made after close, raw relay or abort");
    }

    private static void feed(ValidatorSession session, Step step, RecordingDecisions out, RandomGenerator random) {
        byte[] bytes = step.input().getBytes(StandardCharsets.ISO_8859_1);
        if (step.sender() == Sender.CLIENT_END) {
            session.onClientEnd(out);
            return;
        }
        List<byte[]> pieces = split(bytes, step.oneRead() ? null : random);
        int tlsStarts = out.tlsStarts();
        for (byte[] piece : pieces) {
            // The engine reads nothing in plain text after TLS starts: what it read before went in that call.
            if (step.sender() == Sender.CLIENT) {
                assertEquals(tlsStarts, out.tlsStarts(), "line " + step.line() + ": client bytes after TLS started"
                        + " in the same input; bytes pipelined behind STLS go in one read (C1:)");
            }
            // A fresh, read-only buffer per call, as the engine's: the session may not keep it.
            ByteBuffer buffer = ByteBuffer.wrap(piece.clone()).asReadOnlyBuffer();
            if (out.raw()) {
                // After relayRaw the engine relays bytes itself and calls the session no more.
                if (step.sender() == Sender.CLIENT) {
                    out.relayedToServer(piece);
                } else {
                    out.relayedToClient(piece);
                }
            } else if (step.sender() == Sender.CLIENT) {
                session.onClientData(buffer, out);
            } else {
                session.onServerData(buffer, out);
            }
        }
    }

    /** The bytes in one piece, or cut at random points (sometimes every byte apart). */
    static List<byte[]> split(byte[] bytes, RandomGenerator random) {
        List<byte[]> pieces = new ArrayList<>();
        if (random == null || bytes.length < 2) {
            pieces.add(bytes);
            return pieces;
        }
        boolean byteByByte = random.nextInt(8) == 0;
        int from = 0;
        while (from < bytes.length) {
            int length = byteByByte ? 1 : 1 + random.nextInt(Math.min(bytes.length - from, 1 + random.nextInt(16)));
            pieces.add(java.util.Arrays.copyOfRange(bytes, from, from + length));
            from += length;
        }
        return pieces;
    }

    private static String describe(Violation v) {
        return v.rule() + " " + v.mode().configName();
    }

    /** Line ends made visible, one line per POP3 line, so that a failed comparison reads well. */
    private static String show(String s) {
        return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
