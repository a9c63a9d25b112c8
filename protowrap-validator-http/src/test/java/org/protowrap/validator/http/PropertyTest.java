package org.protowrap.validator.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.protowrap.api.Validator;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/**
 * Seeded random and mutated request streams. Whatever the input and however it is split, the
 * session never throws, consumes every read, keeps its buffers within the configured limits,
 * gives the same verdict and forwards the same bytes; and what it forwards is a prefix of the
 * input that a strict reference reader splits into exactly the requests the session accepted.
 */
class PropertyTest {

    private static final long BASE_SEED = 0x5EED_4874_7470L;
    private static final int MAX_HEADER_SECTION = 2048;
    private static final Map<String, Object> OPTIONS = Map.of(
            "maxHeaderSection", MAX_HEADER_SECTION, "maxFieldLine", 512, "maxRequestLine", 512, "maxPipelined", 100);
    private static final int MEMORY_BOUND = 2 * MAX_HEADER_SECTION + ResponseTracker.LINE_CAPACITY + 100;

    private final Validator validator = SessionDriver.validator(true, Map.of(), OPTIONS);
    /** Limits so tight that random requests cross them often, anywhere in a line. */
    private final Validator tight = SessionDriver.validator(true, Map.of(), Map.of(
            "maxHeaderSection", 256, "maxFieldLine", 64, "maxRequestLine", 64, "maxFields", 8, "maxBodySize", 100));

    @TestFactory
    Stream<DynamicTest> validStreamsPassUnchanged() {
        return seeds(0, 300).mapToObj(seed -> dynamicTest("seed " + seed, () -> {
            RandomGenerator random = generator(seed);
            byte[] input = new RequestGenerator(random, 300).stream();
            Outcome whole = play(input, List.of());
            String context = "seed " + seed + ": " + Escapes.show(input);
            assertEquals(List.of(), whole.out.reports(), context);
            assertArrayEquals(input, whole.out.serverBytes(), context);
            ReferenceReader.Result parsed = ReferenceReader.read(input);
            assertEquals(ReferenceReader.Rest.NOTHING, parsed.rest(), "reference reader rejects a generated stream: " + parsed.why() + ", " + context);
            assertEquals(parsed.ends().size(), whole.requests, context);
            assertTrue(whole.idleRetained <= 100, "idle connection keeps " + whole.idleRetained + " bytes, " + context);
            assertSameUnderSplits(input, whole, random, context);
        }));
    }

    @TestFactory
    Stream<DynamicTest> mutatedStreamsAreRefusedOrForwardedCleanly() {
        return seeds(1000, 2500).mapToObj(seed -> dynamicTest("seed " + seed, () -> {
            RandomGenerator random = generator(seed);
            RequestGenerator requests = new RequestGenerator(random, 60);
            byte[] input = requests.mutate(requests.stream());
            String context = "seed " + seed + ": " + Escapes.show(input);
            Outcome whole = play(input, List.of());
            checkForwarded(input, whole, context);
            assertSameUnderSplits(input, whole, random, context);
        }));
    }

    @TestFactory
    Stream<DynamicTest> tightLimitsGiveTheSameVerdictHoweverSplit() {
        return seeds(3000, 3400).mapToObj(seed -> dynamicTest("seed " + seed, () -> {
            RandomGenerator random = generator(seed);
            RequestGenerator requests = new RequestGenerator(random, 150);
            byte[] input = random.nextBoolean() ? requests.stream() : requests.mutate(requests.stream());
            String context = "seed " + seed + ": " + Escapes.show(input);
            Outcome whole = play(tight, input, List.of());
            checkForwarded(input, whole, context);
            assertTrue(whole.maxRetained <= 2 * 256 + ResponseTracker.LINE_CAPACITY + 100, "retained " + whole.maxRetained);
            assertSameUnderSplits(tight, input, whole, random, context);
        }));
    }

    @TestFactory
    Stream<DynamicTest> largeBodiesStreamInBoundedMemory() {
        return seeds(5000, 5012).mapToObj(seed -> dynamicTest("seed " + seed, () -> {
            RandomGenerator random = generator(seed);
            byte[] input = new RequestGenerator(random, 400_000).stream();
            String context = "seed " + seed + ", " + input.length + " bytes";
            Outcome split = play(input, SessionDriver.cuts(input.length, random, 2));
            assertArrayEquals(input, split.out.serverBytes(), context);
            assertTrue(split.maxRetained <= MEMORY_BOUND, "retained " + split.maxRetained + " bytes, " + context);
        }));
    }

    @TestFactory
    Stream<DynamicTest> randomResponsesAreRelayedInOrderWithoutFailing() {
        return seeds(7000, 7400).mapToObj(seed -> dynamicTest("seed " + seed, () -> {
            RandomGenerator random = generator(seed);
            StringBuilder requests = new StringBuilder();
            StringBuilder responses = new StringBuilder();
            for (int i = 1 + random.nextInt(4); i > 0; i--) {
                boolean head = random.nextInt(4) == 0;
                requests.append(head ? "HEAD" : "GET").append(" /").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
                responses.append(response(random, head));
            }
            byte[] server = responses.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            boolean mutated = random.nextBoolean();
            if (mutated) {
                server = new RequestGenerator(random, 10).mutate(server);
            }
            byte[] client = requests.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            String context = "seed " + seed + ": " + Escapes.show(server);
            RecordingDecisions whole = exchange(client, server, List.of());
            byte[] relayed = whole.clientBytes();
            int own = endsWith(relayed, BAD_GATEWAY) ? BAD_GATEWAY.length : 0;
            assertTrue(relayed.length - own <= server.length && Arrays.equals(relayed, 0, relayed.length - own, server, 0, relayed.length - own),
                    "relayed bytes are the server's, in order, then perhaps the wrapper's 502: " + context);
            if (!mutated) {
                assertArrayEquals(server, relayed, context);
                assertEquals(List.of(), whole.reports(), context);
            }
            for (int run = 0; run < 3; run++) {
                List<Integer> cuts = SessionDriver.cuts(server.length, random, run == 0 ? 1 : 2);
                RecordingDecisions split = exchange(client, server, cuts);
                assertArrayEquals(relayed, split.clientBytes(), context + ", cuts " + cuts);
                assertEquals(SessionDriver.enforced(whole), SessionDriver.enforced(split), context + ", cuts " + cuts);
                assertEquals(whole.closed(), split.closed(), context + ", cuts " + cuts);
            }
        }));
    }

    private static String response(RandomGenerator random, boolean head) {
        String interim = random.nextInt(5) == 0 ? "HTTP/1.1 100 Continue\r\n\r\n" : "";
        return interim + switch (random.nextInt(4)) {
            case 0 -> "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n";
            case 1 -> "HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n";
            case 2 -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + (head ? "" : "5;x=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n");
            default -> {
                int n = random.nextInt(40);
                yield "HTTP/1.1 200 OK\r\nContent-Length: " + n + "\r\n\r\n" + (head ? "" : "b".repeat(n));
            }
        };
    }

    private RecordingDecisions exchange(byte[] client, byte[] server, List<Integer> cuts) {
        HttpSession session = (HttpSession) validator.newSession(SessionCorpus.INFO);
        RecordingDecisions out = new RecordingDecisions();
        out.fromClient(session, client);
        SessionDriver.feedServer(session, server, cuts, out);
        assertTrue(session.retainedBytes() <= MEMORY_BOUND, "retained " + session.retainedBytes());
        return out;
    }

    private void checkForwarded(byte[] input, Outcome outcome, String context) {
        byte[] forwarded = outcome.out.serverBytes();
        // the wrapper forwards what it got, less what it removes (empty lines before a request, rewrites)
        assertTrue(isSubsequence(forwarded, input), "forwarded bytes are not taken from the input in order: " + context);
        ReferenceReader.Result parsed = ReferenceReader.read(forwarded);
        String why = " (" + parsed.why() + "): " + Escapes.show(forwarded) + " from " + context;
        assertFalse(parsed.rest() == ReferenceReader.Rest.INVALID, "forwarded bytes a strict reader refuses" + why);
        boolean partial = parsed.rest() == ReferenceReader.Rest.PARTIAL_BODY;
        assertTrue(partial || !outcome.out.aborted(), "an aborted message must end in a partial body" + why);
        assertEquals(outcome.requests - (partial ? 1 : 0), parsed.ends().size(), "forwarded requests" + why);
        assertTrue(outcome.maxRetained <= MEMORY_BOUND, "retained " + outcome.maxRetained + " bytes, " + context);
    }

    /** The wrapper's answer to a response head that breaks the protocol. */
    private static final byte[] BAD_GATEWAY = ("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 36\r\nConnection: close\r\n\r\nBad Gateway (http.response.framing)\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private static boolean endsWith(byte[] bytes, byte[] end) {
        return bytes.length >= end.length && Arrays.equals(bytes, bytes.length - end.length, bytes.length, end, 0, end.length);
    }

    private static boolean isSubsequence(byte[] part, byte[] whole) {
        int j = 0;
        for (int i = 0; i < whole.length && j < part.length; i++) {
            if (whole[i] == part[j]) {
                j++;
            }
        }
        return j == part.length;
    }

    private void assertSameUnderSplits(byte[] input, Outcome whole, RandomGenerator random, String context) {
        assertSameUnderSplits(validator, input, whole, random, context);
    }

    private void assertSameUnderSplits(Validator under, byte[] input, Outcome whole, RandomGenerator random, String context) {
        for (int mode = 1; mode <= 3; mode++) {
            List<Integer> cuts = SessionDriver.cuts(input.length, random, Math.min(mode, 2));
            Outcome split = play(under, input, cuts);
            String where = context + ", cuts " + cuts;
            assertArrayEquals(whole.out.serverBytes(), split.out.serverBytes(), "forwarded, " + where);
            assertEquals(SessionDriver.enforced(whole.out), SessionDriver.enforced(split.out), "refusals, " + where);
            assertEquals(SessionDriver.logged(whole.out), SessionDriver.logged(split.out), "logged, " + where);
            assertEquals(whole.out.client(), split.out.client(), "client bytes, " + where);
            assertEquals(whole.out.closed(), split.out.closed(), "closed, " + where);
            assertEquals(whole.out.aborted(), split.out.aborted(), "aborted, " + where);
            assertTrue(split.maxRetained <= MEMORY_BOUND, "retained " + split.maxRetained + " bytes, " + where);
        }
    }

    /** What one run did, and the most memory the session held after any read. */
    private record Outcome(RecordingDecisions out, long requests, int maxRetained, int idleRetained) {}

    private Outcome play(byte[] input, List<Integer> cuts) {
        return play(validator, input, cuts);
    }

    private static Outcome play(Validator under, byte[] input, List<Integer> cuts) {
        HttpSession session = (HttpSession) under.newSession(SessionCorpus.INFO);
        RecordingDecisions out = new RecordingDecisions();
        int maxRetained = 0;
        for (byte[] read : SessionDriver.reads(input, cuts)) {
            out.fromClient(session, read);
            maxRetained = Math.max(maxRetained, session.retainedBytes());
        }
        return new Outcome(out, session.requestsForwarded(), maxRetained, session.retainedBytes());
    }

    private static LongStream seeds(long from, long to) {
        return LongStream.range(from, to).map(i -> BASE_SEED + i);
    }

    private static RandomGenerator generator(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }
}
