package org.protowrap.validator.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.ClientTls;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.api.Refusal;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/** What the corpus format cannot say: credentials, facts, timers, draining, refusals, options, the probe. */
class Pop3ValidatorTest {

    /** The probe does not look at its backend. */
    private static final org.protowrap.api.Backend BACKEND = null;

    private final RecordingDecisions out = new RecordingDecisions();

    private static Validator validator(Map<String, Object> options) {
        return new Pop3ValidatorProvider().create(ValidatorConfig.of("test", 512, true, MapOptions.of(options)));
    }

    private ValidatorSession session() {
        ValidatorSession s = validator(Map.of()).newSession(SessionCorpus.INFO);
        s.onStart(out);
        return s;
    }

    private void client(ValidatorSession s, String text) {
        s.onClientData(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)), out);
    }

    private void server(ValidatorSession s, String text) {
        s.onServerData(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)), out);
    }

    @Test
    void passwordsDigestsAndSaslGoAsCredentialsAndNeverIntoExcerpts() {
        ValidatorSession s = session();
        server(s, "+OK ready\r\n");
        client(s, "USER alice\r\n");
        server(s, "+OK\r\n");
        client(s, "PASS hunter2 x\r\n");
        server(s, "-ERR [AUTH] no\r\n");
        client(s, "APOP alice 0123456789abcdef0123456789abcdef\r\n");
        server(s, "-ERR [AUTH] no\r\n");
        client(s, "AUTH PLAIN\r\n");
        server(s, "+ \r\n");
        client(s, "c2VjcmV0\r\n");
        assertEquals("PASS hunter2 x\r\nAPOP alice 0123456789abcdef0123456789abcdef\r\nAUTH PLAIN\r\nc2VjcmV0\r\n",
                out.credentialsText());
        assertFalse(out.credentialsText().contains("USER"), "USER is not a credential");
    }

    @Test
    void excerptsHidePasswordsDigestsAndInitialResponses() {
        assertEquals("PASS ***", Redaction.excerpt(bytes("PASS hunter2")));
        assertEquals("pass ***", Redaction.excerpt(bytes("pass two words")));
        assertEquals("APOP alice ***", Redaction.excerpt(bytes("APOP alice 0123456789abcdef0123456789abcdef")));
        assertEquals("auth PLAIN ***", Redaction.excerpt(bytes("auth PLAIN AGFsaWNlAHNlY3JldA==")));
        assertEquals("AUTH PLAIN", Redaction.excerpt(bytes("AUTH PLAIN")));
        assertEquals("RETR 1", Redaction.excerpt(bytes("RETR 1")));
    }

    @Test
    void aRefusedPasswordLineIsReportedRedacted() {
        ValidatorSession s = session();
        server(s, "+OK ready\r\n");
        client(s, "PASS hunter2\r\n");
        Violation v = out.reports().getFirst();
        assertEquals("pop3.command.sequence", v.rule());
        assertEquals("PASS ***", v.excerpt());
    }

    @Test
    void describesLoginsRetrievalsStateAndTheLastStatus() {
        ValidatorSession s = session();
        server(s, "+OK ready\r\n");
        client(s, "USER a\r\n");
        server(s, "+OK\r\n");
        client(s, "PASS wrong\r\n");
        server(s, "-ERR [AUTH] no\r\n");
        client(s, "USER a\r\n");
        server(s, "+OK\r\n");
        client(s, "PASS right\r\n");
        server(s, "+OK\r\n");
        client(s, "RETR 1\r\n");
        server(s, "+OK\r\nx\r\n.\r\n");
        client(s, "DELE 1\r\n");
        server(s, "-ERR no\r\n");
        client(s, "QUIT\r\n");
        server(s, "+OK\r\n");
        assertEquals(Map.of("status", "+OK", "failed", "1", "state", "update", "logins", "1", "retrieved", "1"),
                out.facts());
        assertFalse(out.facts().containsValue("a"), "no user names in facts");
    }

    @Test
    void timesEachCommandLineAndWaitsForTheServerWhileAResponseIsOwed() {
        ValidatorSession s = session();
        assertTrue(out.awaitingServer(), "the greeting is owed");
        server(s, "+OK ready\r\n");
        assertFalse(out.awaitingServer());
        client(s, "USER al");
        assertTrue(out.unitOpen());
        client(s, "ice\r\n");
        assertFalse(out.unitOpen());
        assertEquals(1, out.unitsCompleted());
        assertTrue(out.awaitingServer());
        server(s, "+OK\r\n");
        assertFalse(out.awaitingServer());
    }

    @Test
    void mayRefuseOnlyBetweenResponses() {
        ValidatorSession s = session();
        server(s, "+OK ready\r\nJUNK");
        client(s, "USER a\r\n");
        assertTrue(s.mayRefuseNow());
    }

    @Test
    void aRefusalWouldBreakAMultiLineBody() {
        ValidatorSession s = loggedIn();
        client(s, "RETR 1\r\n");
        server(s, "+OK\r\nfirst line\r\n");
        assertFalse(s.mayRefuseNow());
        server(s, ".\r\n");
        assertTrue(s.mayRefuseNow());
    }

    @Test
    void drainingClosesAtOnceBetweenCommands() {
        ValidatorSession s = loggedIn();
        out.take();
        s.onDrain(out);
        assertEquals("-ERR [SYS/TEMP] Server shutting down, try again later\r\n", out.client());
        assertEquals(List.of("close"), out.controls());
    }

    @Test
    void drainingWaitsForTheResponseInProgress() {
        ValidatorSession s = loggedIn();
        client(s, "RETR 1\r\n");
        out.take();
        s.onDrain(out);
        assertEquals(List.of(), out.controls());
        server(s, "+OK\r\nbody\r\n.\r\n");
        assertEquals("+OK\r\nbody\r\n.\r\n-ERR [SYS/TEMP] Server shutting down, try again later\r\n", out.client());
        assertEquals(List.of("close"), out.controls());
    }

    @Test
    void everyRefusalIsAnErrWithAResponseCodeWhereOneFits() {
        Validator v = validator(Map.of());
        for (Refusal reason : Refusal.values()) {
            String text = new String(v.refusal(reason).orElseThrow(), StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("-ERR "), reason + ": " + text);
            assertTrue(text.endsWith("\r\n"), reason + ": " + text);
            assertTrue(text.length() <= 512, reason + ": " + text);
            if (reason != Refusal.TIMEOUT) {
                assertTrue(text.startsWith("-ERR [SYS/"), reason + ": " + text);
            }
        }
        assertTrue(v.serverSpeaksFirst());
    }

    @Test
    void optionsAreCheckedAllAtOnce() {
        Options options = MapOptions.of(Map.of("stls", "terminate", "allowedCommands", List.of("USER", "XTND"),
                "maxCommandLineLength", 100, "maxFailedLogins", -1));
        new Pop3ValidatorProvider().create(ValidatorConfig.of("test", 512, false, options));
        String problems = options.problems().toString();
        assertTrue(problems.contains("terminate is set by the wrapper's tls: {certificate, key, mode: starttls}"),
                problems);
        assertTrue(problems.contains("\"XTND\" is not a POP3 command"), problems);
        assertTrue(problems.contains("maxCommandLineLength"), problems);
        assertTrue(problems.contains("maxFailedLogins"), problems);
        assertTrue(problems.contains("testReply: true"), problems);
    }

    @Test
    void stlsPassthroughContradictsTheWrappersStartTls() {
        Options options = MapOptions.of(Map.of("stls", "passthrough"));
        new Pop3ValidatorProvider().create(new ValidatorConfig("test", 512, true, Map.of(), options,
                ClientTls.STARTTLS));
        String problems = options.problems().toString();
        assertTrue(problems.contains("passthrough contradicts the wrapper's tls mode starttls"), problems);
    }

    @Test
    void requireTlsNeedsTheWrappersStartTls() {
        for (ClientTls clientTls : List.of(ClientTls.NONE, ClientTls.IMPLICIT)) {
            Options options = MapOptions.of(Map.of("requireTls", true));
            new Pop3ValidatorProvider().create(new ValidatorConfig("test", 512, true, Map.of(), options, clientTls));
            String problems = options.problems().toString();
            assertTrue(problems.contains("requireTls") && problems.contains("mode: starttls"), problems);
        }
    }

    @Test
    void startTlsNeedsNoOptionAndTheValidatorAnswersStls() {
        Options options = MapOptions.of(Map.of());
        Validator v = new Pop3ValidatorProvider().create(new ValidatorConfig("test", 512, true, Map.of(), options,
                ClientTls.STARTTLS));
        assertEquals(List.of(), options.problems());
        assertTrue(v.startsTls());
    }

    @Test
    void theDefaultsNeedNoOptions() {
        Options options = MapOptions.of(Map.of());
        new Pop3ValidatorProvider().create(ValidatorConfig.of("test", 512, true, options));
        assertEquals(List.of(), options.problems());
    }

    @Test
    void everyRuleIsEnforcedByDefaultAndNamedUnderPop3() {
        assertTrue(new Pop3ValidatorProvider().rules().stream()
                .allMatch(r -> r.name().startsWith("pop3.") && r.defaultMode() == org.protowrap.api.RuleMode.ENFORCE));
    }

    @Test
    void theHealthProbeGreetsAsksForCapabilitiesAndQuits() {
        ProbeRecorder actions = new ProbeRecorder();
        ProbeSession probe = validator(Map.of()).healthProbe().orElseThrow()
                .newSession(BACKEND);
        probe.onConnected(actions);
        probe.onServerData(ByteBuffer.wrap(bytes("+OK Dovecot ready.\r\n")), actions);
        assertEquals("CAPA\r\n", actions.sent.toString());
        probe.onServerData(ByteBuffer.wrap(bytes("+OK\r\nTOP\r\n")), actions);
        assertEquals(List.of(), actions.verdicts);
        probe.onServerData(ByteBuffer.wrap(bytes(".\r\n")), actions);
        assertEquals("CAPA\r\nQUIT\r\n", actions.sent.toString());
        assertEquals(List.of("up"), actions.verdicts);
    }

    @Test
    void theHealthProbeFailsAServerThatIsNotPop3() {
        ProbeRecorder actions = new ProbeRecorder();
        ProbeSession probe = validator(Map.of()).healthProbe().orElseThrow()
                .newSession(BACKEND);
        probe.onServerData(ByteBuffer.wrap(bytes("220 smtp.example ESMTP\r\n")), actions);
        assertEquals(1, actions.verdicts.size());
        assertTrue(actions.verdicts.getFirst().startsWith("down: not a POP3 server"), actions.verdicts.toString());
    }

    private ValidatorSession loggedIn() {
        ValidatorSession s = session();
        server(s, "+OK ready\r\n");
        client(s, "USER a\r\n");
        server(s, "+OK\r\n");
        client(s, "PASS b\r\n");
        server(s, "+OK\r\n");
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Probe actions, recorded. */
    private static final class ProbeRecorder implements ProbeActions {
        final StringBuilder sent = new StringBuilder();
        final List<String> verdicts = new ArrayList<>();

        @Override
        public void send(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            sent.append(new String(b, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void up() {
            verdicts.add("up");
        }

        @Override
        public void down(String reason) {
            verdicts.add("down: " + reason);
        }
    }
}
