package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;
import org.protowrap.testkit.Splits;

/**
 * Random and mutated sessions against the validator and a strict server model. Whatever the
 * client sends and however it is split, the validator never throws, does bounded work, makes no
 * decision after it closed, and the server never receives message data that a strict
 * CRLF . CRLF reader ends anywhere but where the validator did: no bare CR, bare LF or NUL in
 * message data under the default rules, as many messages completed at the server as the
 * validator let end, and the server in message data exactly when the validator is.
 *
 * <p>Seeds are fixed ({@code -Dsmtp.property.seed=N} picks another base, {@code
 * -Dsmtp.property.sessions=N} runs more) and printed in every
 * failure.
 */
@Timeout(60)
class SessionPropertyTest {

    private static final int SESSIONS = Integer.getInteger("smtp.property.sessions", 400);
    private static final long BASE = Long.getLong("smtp.property.seed", 20231218L);

    private static final String[] SMUGGLING = {
        "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r\r\n.\r\r\n", "\r\n\u0000.\r\n", "\n", "\r", ".\r\n",
        "\r\n.\r\n", "\r\n..\r\n", ".", "\r\n"
    };

    @TestFactory
    Stream<DynamicTest> defaultRulesNeverLetAnAmbiguousEndThrough() {
        return sessions("default", Map.of(), Map.of(), true);
    }

    @TestFactory
    Stream<DynamicTest> normalizeNeverLetsAnAmbiguousEndThrough() {
        return sessions("normalize", Map.of("normalize", true), Map.of(), true);
    }

    @TestFactory
    Stream<DynamicTest> relaxedRulesStillAgreeWithAStrictReader() {
        Map<String, RuleMode> relaxed = Map.of(
                "smtp.data.bare-lf", RuleMode.LOG, "smtp.data.bare-cr", RuleMode.OFF, "smtp.data.nul", RuleMode.LOG,
                "smtp.pipelining.sync-point", RuleMode.LOG, "smtp.pipelining.unadvertised", RuleMode.LOG,
                "smtp.command.syntax", RuleMode.LOG, "smtp.command.unknown", RuleMode.LOG);
        return sessions("relaxed", Map.of("maxMessageSize", 4096, "starttls", "passthrough"), relaxed, false);
    }

    /** The generator is only worth something if it reaches message data and the smuggling rules. */
    @Test
    void randomSessionsReachMessagesAndSmugglingRefusals() {
        int completed = 0;
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(BASE + i);
            Run run = new Run(random, Map.of(), Map.of());
            run.play(script(random));
            completed += run.server.completedMessages() > 0 ? 1 : 0;
            refused += run.out.aborted() ? 1 : 0;
        }
        assertTrue(completed >= 20, "sessions with a completed message: " + completed);
        assertTrue(refused >= 20, "sessions whose message was refused: " + refused);
    }

    private Stream<DynamicTest> sessions(String kind, Map<String, Object> options, Map<String, RuleMode> rules,
            boolean strictData) {
        return IntStream.range(0, SESSIONS).mapToObj(i -> {
            long seed = BASE + i;
            return DynamicTest.dynamicTest(kind + " session, seed " + seed,
                    () -> runSession(seed, options, rules, strictData));
        });
    }

    private static void runSession(long seed, Map<String, Object> options, Map<String, RuleMode> rules,
            boolean strictData) {
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        String where = "seed " + seed + ": ";
        try {
            Run run = new Run(random, options, rules);
            run.play(script(random));
            run.check(where, strictData);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(where + e, e);
        }
    }

    @TestFactory
    Stream<DynamicTest> howBytesAreSplitNeverChangesTheOutcome() {
        return IntStream.range(0, SESSIONS / 2).mapToObj(i -> {
            long seed = BASE + i;
            return DynamicTest.dynamicTest("split session, seed " + seed, () -> {
                RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
                List<byte[]> script = script(random);
                List<String> transcripts = new ArrayList<>();
                for (long splits : new long[] {seed, seed + 1, seed + 2}) {
                    Run run = new Run(seed, splits, Map.of("starttls", "passthrough"), Map.of());
                    run.play(script);
                    transcripts.add(run.transcript());
                }
                assertEquals(transcripts.get(0), transcripts.get(1), "seed " + seed + ", split seeds differ");
                assertEquals(transcripts.get(0), transcripts.get(2), "seed " + seed + ", split seeds differ");
            });
        });
    }

    /** One session: the validator between a recording of its decisions and a strict server. */
    private static final class Run {
        private final RandomGenerator random;
        private final RandomGenerator delivery;
        private final StringBuilder toServer = new StringBuilder();
        private final StringBuilder toClient = new StringBuilder();
        private final StringBuilder reports = new StringBuilder();

        /** Each side's bytes and the reports and controls in order: what must not depend on splits. */
        String transcript() {
            return "to server:\n" + toServer + "\nto client:\n" + toClient + "\nreports and controls:\n" + reports;
        }
        private final SmtpSession session;
        private final RecordingDecisions out = new RecordingDecisions();
        private final StrictServer server;
        private final StringBuilder pendingReplies = new StringBuilder();
        private long clientBytes;
        private long serverBytes;
        private int calls;

        Run(RandomGenerator random, Map<String, Object> options, Map<String, RuleMode> rules) {
            this(random, random, random, options, rules);
        }

        /** Server behaviour and reply timing from {@code seed}, read boundaries from {@code splitSeed}. */
        Run(long seed, long splitSeed, Map<String, Object> options, Map<String, RuleMode> rules) {
            this(RandomGeneratorFactory.of("L64X128MixRandom").create(splitSeed),
                    RandomGeneratorFactory.of("L64X128MixRandom").create(seed),
                    RandomGeneratorFactory.of("L64X128MixRandom").create(seed + 1_000_000), options, rules);
        }

        private Run(RandomGenerator splits, RandomGenerator delivery, RandomGenerator serverChoices,
                Map<String, Object> options, Map<String, RuleMode> rules) {
            this.random = splits;
            this.delivery = delivery;
            ValidatorConfig config = new ValidatorConfig("property", 512, true, rules, MapOptions.of(options));
            this.session = (SmtpSession) new SmtpValidatorProvider().create(config).newSession(SessionCorpus.INFO);
            this.server = new StrictServer(serverChoices, capabilities(serverChoices));
        }

        void play(List<byte[]> script) {
            session.onStart(out);
            pendingReplies.append(server.greeting());
            deliverReplies();
            for (byte[] element : script) {
                if (out.finished()) {
                    return;
                }
                for (byte[] piece : Splits.random(element, random)) {
                    clientBytes += piece.length;
                    calls++;
                    out.fromClient(session, piece);
                    pumpServer();
                }
                // Usually the server answers before the client goes on; sometimes the client is faster.
                if (delivery.nextInt(20) != 0) {
                    deliverReplies();
                }
            }
            deliverReplies();
        }

        /** Hands the server what the validator forwarded, and keeps its replies for later. */
        private void pumpServer() {
            RecordingDecisions.Snapshot s = out.take();
            toServer.append(s.server());
            toClient.append(s.client());
            s.reports().forEach(v -> reports.append(v.rule()).append(' ').append(v.mode()).append('\n'));
            s.controls().forEach(c -> reports.append(c).append('\n'));
            byte[] forwarded = s.server().getBytes(StandardCharsets.ISO_8859_1);
            serverBytes += forwarded.length;
            if (!out.aborted()) {
                pendingReplies.append(server.receive(forwarded));
            }
        }

        private void deliverReplies() {
            for (int round = 0; round < 1000 && pendingReplies.length() > 0 && !out.finished(); round++) {
                byte[] bytes = pendingReplies.toString().getBytes(StandardCharsets.ISO_8859_1);
                pendingReplies.setLength(0);
                for (byte[] piece : Splits.random(bytes, random)) {
                    calls++;
                    out.fromServer(session, piece);
                    pumpServer();
                }
            }
        }

        void check(String where, boolean strictData) {
            assertEquals(0, out.ignored(), where + "decisions after close or raw relay");
            assertTrue(serverBytes <= 2 * clientBytes + 16, where + "forwarded " + serverBytes + " bytes for "
                    + clientBytes + " received");
            assertTrue(calls < 100_000, where + "bounded number of calls");
            if (server.inTls()) {
                return;
            }
            assertEquals(List.of(), server.problems(), where + "command lines reaching the server");
            assertEquals(server.completedMessages(), session.messagesEnded(),
                    where + "messages the server completed versus messages the validator let end");
            if (!out.finished()) {
                assertEquals(server.inData(), session.phase() == SmtpSession.Phase.MESSAGE_DATA,
                        where + "server and validator agree whether message data is being read");
            }
            List<byte[]> data = new ArrayList<>(server.dataMessages());
            data.add(server.pendingData());
            for (byte[] message : data) {
                checkData(where, message, strictData);
            }
        }
    }

    /**
     * Message data as the server got it: a reader that also ends lines at bare CR or LF finds no
     * end of data inside it; and under strict rules it holds no bare CR, bare LF or NUL at all.
     */
    private static void checkData(String where, byte[] message, boolean strictData) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        if (strictData) {
            String withoutCrlf = text.replace("\r\n", "");
            if (withoutCrlf.indexOf('\r') >= 0 || withoutCrlf.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
                fail(where + "bare CR, bare LF or NUL reached the server in message data: " + show(text));
            }
            String[] lenientLines = ("\r\n" + text).split("\r\n|\r|\n", -1);
            for (int i = 1; i < lenientLines.length - 1; i++) {
                if (lenientLines[i].equals(".")) {
                    fail(where + "a lenient reader would end the data early: " + show(text));
                }
            }
        }
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }

    private static List<String> capabilities(RandomGenerator random) {
        List<String> all = List.of("PIPELINING", "CHUNKING", "SIZE 100000", "8BITMIME", "AUTH PLAIN LOGIN", "STARTTLS",
                "DSN", "SMTPUTF8");
        List<String> chosen = new ArrayList<>();
        for (String c : all) {
            if (random.nextInt(3) != 0) {
                chosen.add(c);
            }
        }
        return chosen;
    }

    /** A plausible session, element by element, then mutated. */
    static List<byte[]> script(RandomGenerator random) {
        List<String> elements = new ArrayList<>();
        elements.add(random.nextInt(5) == 0 ? "HELO client.example\r\n" : "EHLO client.example\r\n");
        int transactions = 1 + random.nextInt(3);
        for (int t = 0; t < transactions; t++) {
            elements.add("MAIL FROM:<a@example.com>\r\n");
            for (int r = random.nextInt(4); r >= 0; r--) {
                elements.add("RCPT TO:<r" + r + "@example.org>\r\n");
            }
            if (random.nextInt(3) != 0) {
                elements.add("DATA\r\n");
                elements.add(body(random) + ".\r\n");
            } else {
                String chunk = body(random);
                elements.add("BDAT " + chunk.length() + " LAST\r\n" + chunk);
            }
        }
        elements.add(random.nextInt(8) == 0 ? "STARTTLS\r\n" : random.nextInt(8) == 0 ? "AUTH PLAIN\r\n" : "NOOP\r\n");
        elements.add("dGVzdA==\r\n");
        elements.add("QUIT\r\n");
        List<byte[]> script = new ArrayList<>();
        for (String e : elements) {
            script.add(mutate(e, random).getBytes(StandardCharsets.ISO_8859_1));
        }
        return joinSome(script, random);
    }

    private static String body(RandomGenerator random) {
        boolean smuggling = random.nextBoolean();
        StringBuilder body = new StringBuilder();
        for (int lines = random.nextInt(6); lines >= 0; lines--) {
            body.append(random.nextInt(4) == 0 ? "." : "");
            for (int n = random.nextInt(40); n > 0; n--) {
                body.append(smuggling && random.nextInt(10) == 0 ? SMUGGLING[random.nextInt(SMUGGLING.length)]
                        : (char) (' ' + random.nextInt(95)));
            }
            body.append("\r\n");
        }
        return body.toString();
    }

    /** Now and then: flip, insert or drop bytes, or replace the element with noise. */
    private static String mutate(String element, RandomGenerator random) {
        int roll = random.nextInt(24);
        if (roll > 2 || element.isEmpty()) {
            return element;
        }
        StringBuilder s = new StringBuilder(element);
        int at = random.nextInt(s.length());
        switch (roll) {
            case 0 -> s.setCharAt(at, (char) random.nextInt(256));
            case 1 -> s.insert(at, SMUGGLING[random.nextInt(SMUGGLING.length)]);
            default -> s.deleteCharAt(at);
        }
        return s.toString();
    }

    /** Some consecutive elements go out together, as a pipelining (or impatient) client sends them. */
    private static List<byte[]> joinSome(List<byte[]> script, RandomGenerator random) {
        List<byte[]> joined = new ArrayList<>();
        for (byte[] element : script) {
            if (!joined.isEmpty() && random.nextInt(8) == 0) {
                byte[] last = joined.removeLast();
                byte[] both = java.util.Arrays.copyOf(last, last.length + element.length);
                System.arraycopy(element, 0, both, last.length, element.length);
                joined.add(both);
            } else {
                joined.add(element);
            }
        }
        return joined;
    }
}
