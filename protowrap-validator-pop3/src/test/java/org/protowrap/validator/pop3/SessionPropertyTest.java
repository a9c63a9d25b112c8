package org.protowrap.validator.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.protowrap.api.MapOptions;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;
import org.protowrap.testkit.Splits;

/**
 * Random sessions, pipelined and split at random points, between the validator and a strict
 * server model ({@link StrictPop3Server}). Under the default rules the server never receives a
 * line that is not CRLF-terminated, not a known command, malformed or invalid in its state; the
 * client's byte stream parses, as a strict client that knows what it sent reads it, into one
 * response per line sent, in order, with every multi-line body correctly terminated and
 * stuffed; no decision follows a close; and how bytes are split never changes the outcome.
 *
 * <p>Seeds are fixed ({@code -Dpop3.property.seed=N} picks another base, {@code
 * -Dpop3.property.sessions=N} runs more) and printed in every failure.
 */
@Timeout(60)
class SessionPropertyTest {

    private static final int SESSIONS = Integer.getInteger("pop3.property.sessions", 400);
    private static final long BASE = Long.getLong("pop3.property.seed", 19390501L);

    private static final String[] LINES = {
        "USER alice", "USER bob", "PASS secret", "PASS wrong", "PASS two words", "AUTH PLAIN " + StrictPop3Server.PLAIN,
        "AUTH PLAIN", StrictPop3Server.PLAIN, "*", "AUTH", "AUTH X", "CAPA", "STAT", "LIST", "LIST 2", "LIST 9",
        "UIDL", "UIDL 1", "RETR 1", "RETR 2", "RETR 3", "retr 2", "TOP 2 0", "TOP 1 5", "DELE 1", "NOOP", "RSET",
        "STLS", "QUIT", "RETR 0", "LIST ", "STAT x", "XTND XMIT", "RETR  1", "", "TOP 1", "LAST",
        "APOP alice 0123456789abcdef0123456789abcdef", "USER " + "a".repeat(300), "ST\rAT", "NOOP\u0000"
    };

    @TestFactory
    Stream<DynamicTest> theServerOnlyEverSeesValidCommandsAndTheClientOneResponsePerLine() {
        return IntStream.range(0, SESSIONS).mapToObj(i -> {
            long seed = BASE + i;
            return DynamicTest.dynamicTest("session, seed " + seed, () -> {
                try {
                    Run run = new Run(seed, seed);
                    run.play(script(random(seed)));
                    run.check();
                } catch (RuntimeException | AssertionError e) {
                    throw new AssertionError("seed " + seed + ": " + e, e);
                }
            });
        });
    }

    @TestFactory
    Stream<DynamicTest> howBytesAreSplitNeverChangesTheOutcome() {
        return IntStream.range(0, SESSIONS / 2).mapToObj(i -> {
            long seed = BASE + i;
            return DynamicTest.dynamicTest("split session, seed " + seed, () -> {
                List<byte[]> script = script(random(seed));
                List<String> transcripts = new ArrayList<>();
                for (long splits : new long[] {seed, seed + 1000, seed + 2000}) {
                    Run run = new Run(seed, splits);
                    run.play(script);
                    transcripts.add(run.transcript());
                }
                assertEquals(transcripts.get(0), transcripts.get(1), "seed " + seed + ", split seeds differ");
                assertEquals(transcripts.get(0), transcripts.get(2), "seed " + seed + ", split seeds differ");
            });
        });
    }

    /** The generator is only worth something if it logs in, retrieves and gets refused. */
    @Test
    void randomSessionsReachTransactionsRetrievalsAndRefusals() {
        int transactions = 0;
        int refusals = 0;
        for (int i = 0; i < 200; i++) {
            Run run = new Run(BASE + i, BASE + i);
            run.play(script(random(BASE + i)));
            transactions += run.server.state() != Pop3State.AUTHORIZATION ? 1 : 0;
            refusals += run.out.reports().isEmpty() ? 0 : 1;
        }
        assertTrue(transactions >= 40, "sessions that logged in: " + transactions);
        assertTrue(refusals >= 40, "sessions with a refusal: " + refusals);
    }

    private static RandomGenerator random(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** Chunks of one to four lines each, mostly valid, logging in early in most sessions. */
    private static List<byte[]> script(RandomGenerator random) {
        List<byte[]> chunks = new ArrayList<>();
        if (random.nextInt(4) != 0) {
            chunks.add(bytes(random.nextBoolean() ? "USER alice\r\nPASS secret\r\n"
                    : "AUTH PLAIN\r\n" + StrictPop3Server.PLAIN + "\r\n"));
        }
        for (int c = random.nextInt(12); c > 0; c--) {
            StringBuilder chunk = new StringBuilder();
            for (int l = 1 + random.nextInt(4); l > 0; l--) {
                String line = LINES[random.nextInt(LINES.length)];
                if (line.equals("QUIT") && random.nextInt(3) != 0) {
                    line = "NOOP";
                }
                chunk.append(line).append(random.nextInt(10) == 0 ? "\n" : "\r\n");
            }
            chunks.add(bytes(chunk.toString()));
        }
        return chunks;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One session between the validator and the model, split by its own random generator. */
    private static final class Run {
        final StrictPop3Server server;
        final RecordingDecisions out = new RecordingDecisions();
        final ValidatorSession session;
        final RandomGenerator splits;
        final StringBuilder sent = new StringBuilder();
        int fedToServer;

        Run(long seed, long splitSeed) {
            server = new StrictPop3Server(random(seed));
            splits = random(splitSeed);
            session = new Pop3ValidatorProvider()
                    .create(ValidatorConfig.of("property", 512, true, MapOptions.of(Map.of())))
                    .newSession(SessionCorpus.INFO);
            session.onStart(out);
        }

        void play(List<byte[]> script) {
            fromServer(bytes(server.greeting()));
            for (byte[] chunk : script) {
                if (out.finished()) {
                    return;
                }
                sent.append(new String(chunk, StandardCharsets.ISO_8859_1));
                for (byte[] piece : Splits.random(chunk, splits)) {
                    out.fromClient(session, piece);
                    pump();
                }
            }
        }

        /** Hands what the wrapper forwarded to the model, and its responses back, until quiet. */
        private void pump() {
            while (!out.finished()) {
                byte[] all = out.serverBytes();
                if (all.length == fedToServer) {
                    return;
                }
                byte[] fresh = Arrays.copyOfRange(all, fedToServer, all.length);
                fedToServer = all.length;
                fromServer(bytes(server.receive(fresh)));
            }
        }

        private void fromServer(byte[] responses) {
            for (byte[] piece : Splits.random(responses, splits)) {
                if (out.finished()) {
                    return;
                }
                out.fromServer(session, piece);
            }
        }

        void check() {
            assertEquals(List.of(), server.problems(), "what the server received");
            assertEquals(0, out.ignored(), "decisions after close");
            List<String> lines = Arrays.asList(sent.toString().split("\n", -1));
            lines = lines.subList(0, lines.size() - 1);
            int responses = new StrictClient(out.clientBytes(), lines).responses();
            if (out.finished()) {
                assertTrue(responses <= lines.size() + 1, responses + " responses to " + lines.size() + " lines");
            } else {
                assertEquals(lines.size(), responses, "one response per line sent");
            }
        }

        String transcript() {
            return out.client() + "\n|\n" + out.server() + "\n|\n" + out.controls() + "\n|\n"
                    + out.reports().stream().map(v -> v.rule() + " " + v.excerpt()).toList();
        }
    }

    /** Reads the client's byte stream as a client that knows what it sent. */
    private static final class StrictClient {
        private final byte[] bytes;
        private final List<String> lines;
        private int pos;

        StrictClient(byte[] bytes, List<String> lines) {
            this.bytes = bytes;
            this.lines = lines;
        }

        int responses() {
            assertTrue(line().startsWith("+OK"), "greeting");
            int count = 0;
            boolean sasl = false;
            while (pos < bytes.length) {
                String status = line();
                String sentLine = count < lines.size() ? lines.get(count).replace("\r", "") : "";
                boolean multi = !sasl && status.startsWith("+OK") && multiLine(sentLine);
                sasl = status.equals("+") || status.startsWith("+ ");
                assertTrue(sasl || status.equals("+OK") || status.startsWith("+OK ") || status.startsWith("-ERR"),
                        "a status line: " + status);
                count++;
                if (multi) {
                    body();
                }
            }
            return count;
        }

        private static boolean multiLine(String line) {
            String upper = line.toUpperCase(Locale.ROOT);
            String verb = upper.split(" ", 2)[0];
            return switch (verb) {
                case "CAPA", "RETR", "TOP" -> true;
                case "LIST", "UIDL", "AUTH" -> upper.equals(verb);
                default -> false;
            };
        }

        private void body() {
            while (true) {
                String l = line();
                if (l.equals(".")) {
                    return;
                }
                assertTrue(!l.startsWith(".") || l.startsWith(".."), "an unstuffed dot line: " + l);
            }
        }

        private String line() {
            int start = pos;
            while (pos < bytes.length && bytes[pos] != '\n') {
                pos++;
            }
            assertTrue(pos < bytes.length, "an unterminated line at " + start);
            assertTrue(pos > start && bytes[pos - 1] == '\r', "a line not ending in CRLF at " + start);
            pos++;
            return new String(bytes, start, pos - start - 2, StandardCharsets.ISO_8859_1);
        }
    }
}
