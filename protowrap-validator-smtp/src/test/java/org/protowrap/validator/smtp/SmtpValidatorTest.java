package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Backend;
import org.protowrap.api.ClientTls;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.MapOptions;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.api.Refusal;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.spi.ValidatorProvider;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/** The provider's surface: rules, refusals, the health probe, and redaction in reports. */
class SmtpValidatorTest {

    private static Validator validator(Map<String, Object> options) {
        return new SmtpValidatorProvider().create(ValidatorConfig.of("mail", 512, true, MapOptions.of(options)));
    }

    @Test
    void theModuleProvidesSmtp() {
        var provides = SmtpValidatorProvider.class.getModule().getDescriptor().provides();
        assertTrue(provides.stream().anyMatch(p -> p.service().equals(ValidatorProvider.class.getName())
                && p.providers().contains(SmtpValidatorProvider.class.getName())), provides.toString());
        assertEquals("smtp", new SmtpValidatorProvider().name());
        assertTrue(validator(Map.of()).serverSpeaksFirst());
    }

    @Test
    void rulesHaveUniqueSmtpNamesAndAreStrictByDefault() {
        List<Rule> rules = new SmtpValidatorProvider().rules();
        assertTrue(rules.size() >= 25, "rules: " + rules.size());
        assertEquals(rules.size(), new HashSet<>(rules.stream().map(Rule::name).toList()).size());
        for (Rule rule : rules) {
            assertTrue(rule.name().startsWith("smtp."), rule.name());
            assertEquals(RuleMode.ENFORCE, rule.defaultMode(), rule.name());
        }
        List<String> names = rules.stream().map(Rule::name).toList();
        assertTrue(names.containsAll(List.of("smtp.data.bare-lf", "smtp.data.bare-cr", "smtp.pregreet",
                "smtp.pipelining.unadvertised", "smtp.path.space-after-colon")), names.toString());
    }

    @Test
    void refusalsAre421WithEnhancedCodesOr554ForAForbiddenAddress() {
        Validator v = validator(Map.of());
        assertEquals("421 4.3.2 Service not available, closing transmission channel\r\n", refusal(v, Refusal.NO_BACKEND));
        assertTrue(refusal(v, Refusal.TOO_MANY_CONNECTIONS).startsWith("421 4.7.0 "));
        assertTrue(refusal(v, Refusal.TIMEOUT).startsWith("421 4.4.2 "));
        assertTrue(refusal(v, Refusal.SERVER_TIMEOUT).startsWith("421 4.4.2 "));
        assertTrue(refusal(v, Refusal.FORBIDDEN).startsWith("554 5.7.1 "));
        assertTrue(refusal(v, Refusal.RATE_LIMITED).startsWith("421 4.7.0 "));
        assertTrue(refusal(v, Refusal.SHUTTING_DOWN).startsWith("421 4.3.2 "));
        for (Refusal r : Refusal.values()) {
            assertTrue(refusal(v, r).endsWith("\r\n"), r.name());
        }
    }

    private static String refusal(Validator v, Refusal reason) {
        return new String(v.refusal(reason).orElseThrow(), StandardCharsets.US_ASCII);
    }

    /** Probe actions, recorded. */
    private static final class Probe implements ProbeActions {
        final StringBuilder sent = new StringBuilder();
        final List<String> verdicts = new ArrayList<>();

        @Override
        public void send(ByteBuffer bytes) {
            sent.append(StandardCharsets.US_ASCII.decode(bytes));
        }

        @Override
        public void up() {
            verdicts.add("up");
        }

        @Override
        public void down(String reason) {
            verdicts.add("down: " + reason);
        }

        void feed(ProbeSession session, String bytes) {
            session.onServerData(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.US_ASCII)), this);
        }
    }

    private static ProbeSession probe(Map<String, Object> options) {
        HealthProbe probe = validator(options).healthProbe().orElseThrow();
        assertFalse(probe.description().isEmpty());
        return probe.newSession((Backend) null);
    }

    @Test
    void healthProbeGreetsSaysEhloAndQuits() {
        ProbeSession session = probe(Map.of("healthEhloName", "check.example.org"));
        Probe actions = new Probe();
        session.onConnected(actions);
        assertEquals("", actions.sent.toString());
        actions.feed(session, "220-mx.example.org ESMTP\r\n220 ready\r\n");
        assertEquals("EHLO check.example.org\r\n", actions.sent.toString());
        actions.feed(session, "250-mx.example.org\r\n250 ");
        assertEquals(List.of(), actions.verdicts);
        actions.feed(session, "PIPELINING\r\n");
        assertEquals("EHLO check.example.org\r\nQUIT\r\n", actions.sent.toString());
        assertEquals(List.of("up"), actions.verdicts);
    }

    @Test
    void healthProbeIsDownOnARefusingGreeting() {
        ProbeSession session = probe(Map.of());
        Probe actions = new Probe();
        actions.feed(session, "554 5.3.2 no service\r\n");
        assertEquals(1, actions.verdicts.size());
        assertTrue(actions.verdicts.getFirst().startsWith("down: greeting was 554"), actions.verdicts.toString());
        assertEquals("", actions.sent.toString());
    }

    @Test
    void healthProbeIsDownOnAFailedEhloOrGarbage() {
        ProbeSession session = probe(Map.of());
        Probe actions = new Probe();
        actions.feed(session, "220 mx\r\n421 4.3.2 going away\r\n");
        assertEquals("EHLO protowrap.health\r\n", actions.sent.toString());
        assertTrue(actions.verdicts.getFirst().startsWith("down: EHLO answered 421"), actions.verdicts.toString());

        ProbeSession other = probe(Map.of());
        Probe garbage = new Probe();
        garbage.feed(other, "SSH-2.0-OpenSSH_9.6\r\n");
        assertTrue(garbage.verdicts.getFirst().startsWith("down: not an SMTP server"), garbage.verdicts.toString());
    }

    @Test
    void credentialsNeverAppearInReports() {
        RecordingDecisions out = new RecordingDecisions();
        ValidatorSession session = greeted(out, "AUTH PLAIN LOGIN");
        feed(session, out, true, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
        feed(session, out, false, "235 2.7.0 Ok\r\n");
        feed(session, out, true, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
        feed(session, out, true, "auth login YWxpY2U=\r\n");
        List<String> excerpts = out.reports().stream().map(Violation::excerpt).toList();
        assertEquals(List.of("AUTH PLAIN ***", "auth login ***"), excerpts);
    }

    @Test
    void exchangeLinesAndEarlyCredentialsAreNeverShown() {
        RecordingDecisions out = new RecordingDecisions();
        ValidatorSession session = greeted(out, "AUTH LOGIN");
        feed(session, out, true, "AUTH LOGIN\r\n");
        feed(session, out, false, "334 VXNlcm5hbWU6\r\n");
        feed(session, out, true, "not base64 secret\r\n");
        feed(session, out, false, "501 5.7.0 cancelled\r\n");
        feed(session, out, true, "AUTH LOGIN\r\nc2VjcmV0\r\n");
        List<String> excerpts = out.reports().stream().map(Violation::excerpt).toList();
        assertEquals(List.of("***", "***"), excerpts);
        for (Violation v : out.reports()) {
            assertFalse(v.detail().contains("secret") || v.detail().contains("c2VjcmV0"), v.detail());
        }
    }

    @Test
    void authLinesAreForwardedAsCredentialsSoThatTheLogLeavesThemOut() {
        RecordingDecisions out = new RecordingDecisions();
        ValidatorSession session = greeted(out, "AUTH PLAIN LOGIN");
        feed(session, out, true, "AUTH LOGIN\r\n");
        feed(session, out, false, "334 VXNlcm5hbWU6\r\n");
        feed(session, out, true, "YWxpY2U=\r\n");
        feed(session, out, false, "334 UGFzc3dvcmQ6\r\n");
        feed(session, out, true, "c2VjcmV0\r\n");
        feed(session, out, false, "235 2.7.0 Ok\r\n");
        feed(session, out, true, "MAIL FROM:<a@example.com>\r\n");
        assertEquals("AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n", out.credentialsText());
        assertTrue(out.server().endsWith("MAIL FROM:<a@example.com>\r\n"), out.server());
    }

    @Test
    void aPipelinedGroupHasABoundedNumberOfOutstandingReplies() {
        RecordingDecisions out = new RecordingDecisions();
        ValidatorSession session = greeted(out, "PIPELINING");
        feed(session, out, true, "MAIL FROM:<a@example.com>\r\n" + "RCPT TO:<b@example.org>\r\n".repeat(600));
        assertEquals(500, out.server().split("\r\n").length - 1, "commands forwarded before the limit");
        assertEquals(List.of("close"), out.controls());
        assertEquals("smtp.pipelining.sync-point", out.reports().getLast().rule());
    }

    @Test
    void pipelinedAuthIsHiddenInAnEarlyExcerpt() {
        assertEquals("EHLO x\\r\\nAUTH PLAIN ***", Redaction.excerpt(bytes("EHLO x\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), 40));
        assertEquals("AUTH LOGIN ***", Redaction.excerpt(bytes("AUTH LOGIN\r\nYWxpY2U=\r\n"), 22));
        assertEquals("AUTHOR x", Redaction.excerpt(bytes("AUTHOR x"), 8));
    }

    @Test
    void theLogLineSaysTlsSenderDomainAndMessageSizeButNeverTheLocalPart() {
        RecordingDecisions out = new RecordingDecisions();
        ValidatorSession session = new SmtpValidatorProvider().create(new ValidatorConfig("mail", 512, true, Map.of(),
                MapOptions.of(Map.of()), ClientTls.STARTTLS)).newSession(SessionCorpus.INFO);
        feed(session, out, false, "220 mx ESMTP\r\n");
        feed(session, out, true, "EHLO c.example\r\n");
        feed(session, out, false, "250-mx\r\n250 CHUNKING\r\n");
        feed(session, out, true, "STARTTLS\r\n");
        assertEquals(List.of("starttls"), out.controls());
        assertFalse(out.facts().containsKey("tls"), "not before the handshake");
        feed(session, out, true, "EHLO c.example\r\n");
        assertEquals("yes", out.facts().get("tls"));
        feed(session, out, false, "250-mx\r\n250 CHUNKING\r\n");
        feed(session, out, true, "MAIL FROM:<alice.secret@Example.NET>\r\n");
        feed(session, out, false, "250 2.1.0 Ok\r\n");
        feed(session, out, true, "RCPT TO:<b@example.org>\r\n");
        feed(session, out, false, "250 2.1.5 Ok\r\n");
        feed(session, out, true, "DATA\r\n");
        feed(session, out, false, "354 go\r\n");
        feed(session, out, true, "Subject: x\r\n\r\n..hello\r\n.\r\n");
        feed(session, out, false, "250 2.0.0 queued\r\n");
        assertEquals("Example.NET", out.facts().get("from"));
        assertEquals("23", out.facts().get("size"), "octets received, end of data excluded");
        feed(session, out, true, "MAIL FROM:<>\r\n");
        feed(session, out, false, "250 2.1.0 Ok\r\n");
        feed(session, out, true, "RCPT TO:<b@example.org>\r\n");
        feed(session, out, false, "250 2.1.5 Ok\r\n");
        feed(session, out, true, "BDAT 5 LAST\r\nhello");
        feed(session, out, false, "250 2.0.0 queued\r\n");
        assertEquals("<>", out.facts().get("from"));
        assertEquals("28", out.facts().get("size"), "every accepted message");
        assertEquals("2", out.facts().get("messages"));
        assertFalse(out.facts().toString().contains("alice"), out.facts().toString());
    }

    /** A session after the greeting and EHLO, the server having offered {@code extensions}. */
    private static ValidatorSession greeted(RecordingDecisions out, String extensions) {
        ValidatorSession session = validator(Map.of()).newSession(SessionCorpus.INFO);
        feed(session, out, false, "220 mx ESMTP\r\n");
        feed(session, out, true, "EHLO c.example\r\n");
        feed(session, out, false, "250-mx\r\n250 " + extensions + "\r\n");
        return session;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void feed(ValidatorSession session, RecordingDecisions out, boolean client, String bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes(bytes));
        if (client) {
            session.onClientData(buffer, out);
        } else {
            session.onServerData(buffer, out);
        }
    }
}
