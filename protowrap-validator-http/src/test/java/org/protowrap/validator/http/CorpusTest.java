package org.protowrap.validator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/**
 * Runs every case of the request corpus against the validator without I/O: once whole, once a
 * byte at a time, and several times split at random points (seeded; the seed is in the failure
 * message). The verdict and the forwarded bytes must be the corpus's every time.
 */
class CorpusTest {

    private static final int RANDOM_SPLITS = 6;

    static Stream<CorpusCase> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(CorpusTest.class.getResource("/corpus").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
            return names.stream().flatMap(n -> CorpusCase.load(n).stream());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void corpusCase(CorpusCase c) {
        long seed = c.name().hashCode() * 31L + c.send().length;
        SplittableRandom random = new SplittableRandom(seed);
        for (int run = 0; run < RANDOM_SPLITS + 2; run++) {
            int mode = Math.min(run, 2);
            List<Integer> clientCuts = SessionDriver.cuts(c.send().length, random, mode);
            List<Integer> serverCuts = SessionDriver.cuts(c.server().length, random, mode);
            String context = c + ", run " + run + " with seed " + seed + ", client cuts " + clientCuts + ", server cuts " + serverCuts;
            check(c, play(c, clientCuts, serverCuts), context);
        }
    }

    static RecordingDecisions play(CorpusCase c, List<Integer> clientCuts, List<Integer> serverCuts) {
        ValidatorSession session = SessionDriver.validator(c.testReply(), c.rules(), c.options()).newSession(SessionCorpus.INFO);
        RecordingDecisions out = new RecordingDecisions();
        SessionDriver.feedClient(session, c.send(), clientCuts, out);
        if (c.testReply()) {
            SessionDriver.feedServer(session, c.server(), serverCuts, out);
        }
        return out;
    }

    private static void check(CorpusCase c, RecordingDecisions out, String context) {
        assertEquals(Escapes.show(c.forward()), Escapes.show(out.serverBytes()), "forwarded bytes: " + context);
        assertEquals(c.logged(), SessionDriver.logged(out), "logged rules: " + context);
        String server = new String(c.server(), StandardCharsets.ISO_8859_1);
        String client = out.client();
        switch (c.verdict()) {
            case ACCEPT -> {
                assertEquals(List.of(), SessionDriver.enforced(out), "refusals: " + context);
                assertEquals(Escapes.show(c.server()), Escapes.show(out.clientBytes()), "client bytes: " + context);
            }
            case REFUSE -> {
                assertEquals(List.of(c.rule()), SessionDriver.enforced(out), "refusals: " + context);
                assertTrue(client.startsWith(server), "server bytes relayed before the refusal: " + context);
                String own = client.substring(server.length());
                assertTrue(own.startsWith("HTTP/1.1 " + c.status() + " "), "refusal status, got " + Escapes.show(own.getBytes(StandardCharsets.ISO_8859_1)) + ": " + context);
                assertTrue(own.contains("\r\nConnection: close\r\n"), "refusal closes: " + context);
                assertTrue(out.closed(), "connection closed: " + context);
                assertEquals(c.abort(), out.aborted(), "server aborted: " + context);
            }
            case CLOSE -> {
                assertEquals(List.of(c.rule()), SessionDriver.enforced(out), "refusals: " + context);
                assertEquals(server, client, "no response of the wrapper's own: " + context);
                assertTrue(out.closed(), "connection closed: " + context);
                assertEquals(c.abort(), out.aborted(), "server aborted: " + context);
            }
        }
    }
}
