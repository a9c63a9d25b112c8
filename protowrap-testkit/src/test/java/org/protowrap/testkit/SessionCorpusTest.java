package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.ClientTls;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;

class SessionCorpusTest {

    @TempDir
    Path dir;

    /** A protocol where the client speaks first and that never refuses a connection. */
    abstract static class ClientFirst implements Validator {
        @Override
        public boolean serverSpeaksFirst() {
            return false;
        }

        @Override
        public Optional<byte[]> refusal(Refusal reason) {
            return Optional.empty();
        }
    }

    /** Forwards whole lines; a line of {@code maxLineLength} or more closes. */
    static final class Lines extends ClientFirst {
        private final int max;
        private final boolean splitSensitive;

        Lines(ValidatorConfig config, boolean splitSensitive) {
            this.max = config.maxLineLength();
            this.splitSensitive = splitSensitive;
        }

        @Override
        public ValidatorSession newSession(SessionInfo info) {
            return new ValidatorSession() {
                private final StringBuilder line = new StringBuilder();
                private boolean closed;

                @Override
                public void onClientData(ByteBuffer data, Decisions out) {
                    if (closed) {
                        data.position(data.limit());
                        return;
                    }
                    if (splitSensitive) {
                        // a bug the kit must catch: each read treated as a whole line
                        out.sendToServer(data);
                        out.sendToServer(ByteBuffer.wrap("|".getBytes(StandardCharsets.ISO_8859_1)));
                        return;
                    }
                    while (data.hasRemaining()) {
                        char c = (char) (data.get() & 0xff);
                        line.append(c);
                        if (c == '\n') {
                            out.sendToServer(ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.ISO_8859_1)));
                            line.setLength(0);
                        } else if (line.length() >= max) {
                            out.sendToClient(ByteBuffer.wrap("too long\r\n".getBytes(StandardCharsets.ISO_8859_1)));
                            out.close();
                            closed = true;
                            data.position(data.limit());
                            return;
                        }
                    }
                }

                @Override
                public void onServerData(ByteBuffer data, Decisions out) {
                    out.sendToClient(data);
                }
            };
        }
    }

    private List<SessionCase> corpus() throws IOException {
        Files.writeString(dir.resolve("a.lines"), """
                # two cases, the second built on the first
                === a line goes through
                C: hello\\r\\n
                >: *
                S: ok\\r\\n
                <: *

                === then an over-long one closes
                use: a line goes through
                C: $(600*x)
                <: too long\\r\\n
                =: close
                """);
        Files.writeString(dir.resolve("ignored.txt"), "not a corpus file");
        return SessionCorpus.load(dir, ".lines");
    }

    @Test
    void casesAreReadWithTheirStepsAndPreludes() throws IOException {
        List<SessionCase> cases = corpus();
        assertEquals(List.of("a line goes through", "then an over-long one closes"),
                cases.stream().map(SessionCase::name).toList());
        assertEquals(3, cases.get(1).steps().size());
        assertEquals("x".repeat(600), cases.get(1).steps().get(2).input());
        assertEquals(List.of("close"), cases.get(1).steps().get(2).controls());
    }

    @Test
    void aValidatorWhoseVerdictDoesNotDependOnSplitsPasses() throws IOException {
        for (SessionCase c : corpus()) {
            SessionCorpus.check(c, config -> new Lines(config, false));
        }
    }

    @Test
    void aValidatorThatReadsEachPieceAsAWholeLineIsCaughtWithTheSeed() throws IOException {
        SessionCase first = corpus().getFirst();
        AssertionError e = assertThrows(AssertionError.class, () -> SessionCorpus.check(first,
                config -> new Lines(config, true), 5, 1));
        assertTrue(e.getMessage().contains("a line goes through (a.lines:2) line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("bytes at the server"), e.getMessage());
    }

    /** Answers {@code TLS} with {@code go ahead} and starts TLS; every other line goes to the server. */
    static final class StartTls extends ClientFirst {
        @Override
        public ValidatorSession newSession(SessionInfo info) {
            return new ValidatorSession() {
                private final StringBuilder line = new StringBuilder();

                @Override
                public void onClientData(ByteBuffer data, Decisions out) {
                    while (data.hasRemaining()) {
                        char c = (char) (data.get() & 0xff);
                        line.append(c);
                        if (c != '\n') {
                            continue;
                        }
                        if (line.toString().equals("TLS\r\n")) {
                            out.sendToClient(ByteBuffer.wrap("go ahead\r\n".getBytes(StandardCharsets.ISO_8859_1)));
                            out.startTls();
                        } else {
                            out.sendToServer(ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.ISO_8859_1)));
                        }
                        line.setLength(0);
                    }
                }
            };
        }
    }

    private List<SessionCase> tlsCorpus() throws IOException {
        Files.writeString(dir.resolve("tls.lines"), """
                === plain text behind the command, in one read
                tls starttls
                C1: TLS\\r\\nNOOP\\r\\n
                <: go ahead\\r\\n
                >: NOOP\\r\\n
                =: starttls

                === the same, never cut
                unsplit
                C: TLS\\r\\nNOOP\\r\\n
                <: go ahead\\r\\n
                >: NOOP\\r\\n
                =: starttls

                === the same, cut
                C: TLS\\r\\nNOOP\\r\\n
                <: go ahead\\r\\n
                >: NOOP\\r\\n
                =: starttls
                """);
        return SessionCorpus.loadFile(dir.resolve("tls.lines"));
    }

    @Test
    void tlsUnsplitAndOneReadAreRead() throws IOException {
        List<SessionCase> cases = tlsCorpus();
        assertEquals(ClientTls.STARTTLS, cases.get(0).clientTls());
        assertEquals(ClientTls.STARTTLS, cases.get(0).config().clientTls());
        assertTrue(cases.get(0).steps().getFirst().oneRead());
        assertFalse(cases.get(0).unsplit());
        assertEquals(ClientTls.NONE, cases.get(1).clientTls());
        assertTrue(cases.get(1).unsplit());
        assertFalse(cases.get(1).steps().getFirst().oneRead());
    }

    @Test
    void plainTextBehindStartTlsPassesOnlyInOneRead() throws IOException {
        List<SessionCase> cases = tlsCorpus();
        SessionCorpus.check(cases.get(0), config -> new StartTls());
        SessionCorpus.check(cases.get(1), config -> new StartTls());
        AssertionError e = assertThrows(AssertionError.class,
                () -> SessionCorpus.check(cases.get(2), config -> new StartTls(), 25, 1));
        assertTrue(e.getMessage().contains("after TLS started"), e.getMessage());
    }

    @Test
    void theFirstVersionsConstructorsStillBuildCases() {
        SessionCase.Step step = new SessionCase.Step(SessionCase.Sender.CLIENT, "a", "a", "", List.of(), List.of(), 1);
        SessionCase c = new SessionCase("old", "here", Map.of(), Map.of(), List.of(step));
        assertEquals(ClientTls.NONE, c.clientTls());
        assertFalse(c.unsplit());
        assertFalse(step.oneRead());
    }

    @Test
    void escapesNameBytes() {
        assertEquals("a\r\n\t\\\u00ff" + "zz", SessionCorpus.unescape("a\\r\\n\\t\\\\\\xff$(2*z)"));
    }
}
