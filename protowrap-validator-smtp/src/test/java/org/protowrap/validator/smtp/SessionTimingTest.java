package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.MapOptions;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/**
 * What the session tells the engine for its timeouts (each command line, and a transaction's
 * commands, timed as one unit; whether the server owes a reply), how it ends a session that is
 * drained, and the facts it gives for the connection's log line.
 */
class SessionTimingTest {

    private static final String UNIT_STARTED = "unit+";
    private static final String UNIT_COMPLETE = "unit-";
    private static final String AWAITING = "await+";
    private static final String ANSWERED = "await-";

    private final RecordingDecisions out = new RecordingDecisions();
    private final ValidatorSession session = new SmtpValidatorProvider()
            .create(ValidatorConfig.of("mail", 512, true, MapOptions.of(Map.of()))).newSession(SessionCorpus.INFO);

    @Test
    void everyCommandLineIsTimedFromItsFirstByteAndTheServerOwesItsReply() {
        session.onStart(out);
        assertEquals(List.of(AWAITING), out.takeTiming(), "the greeting is owed");
        server("220 mx ESMTP\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming());
        client("EH");
        assertEquals(List.of(UNIT_STARTED), out.takeTiming());
        client("LO c.example\r\n");
        assertEquals(List.of(UNIT_COMPLETE, AWAITING), out.takeTiming());
        server("250-mx\r\n250 CHUNKING\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming());
        client("NOOP\r\n");
        assertEquals(List.of(UNIT_STARTED, UNIT_COMPLETE, AWAITING), out.takeTiming());
    }

    @Test
    void aTransactionsCommandsAreOneUnitUpToData() {
        greeted("PIPELINING");
        client("MAIL FROM:<a@example.com>\r\n");
        assertEquals(List.of(UNIT_STARTED, AWAITING), out.takeTiming());
        server("250 2.1.0 Ok\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming(), "the client's time runs on between MAIL and RCPT");
        client("RCPT TO:<b@example.org>\r\n");
        assertEquals(List.of(AWAITING), out.takeTiming());
        server("250 2.1.5 Ok\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming());
        client("DATA\r\n");
        assertEquals(List.of(UNIT_COMPLETE, AWAITING), out.takeTiming());
        server("354 go ahead\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming(), "message data is not a timed unit");
        client("Subject: x\r\n\r\nbody\r\n");
        assertEquals(List.of(), out.takeTiming());
        client(".\r\n");
        assertEquals(List.of(), out.takeTiming(), "the end of data's reply may take the server 10 minutes");
        server("250 2.0.0 Ok: queued\r\n");
        assertEquals(List.of(), out.takeTiming());
    }

    @Test
    void aTransactionTheServerRefusesEndsItsUnit() {
        greeted("PIPELINING");
        client("MAIL FROM:<a@example.com>\r\n");
        out.takeTiming();
        server("550 5.7.1 Sender rejected\r\n");
        assertEquals(List.of(UNIT_COMPLETE, ANSWERED), out.takeTiming());
    }

    @Test
    void aBdatReplyIsOwedOnlyOnceItsChunkIsInAndTheLastOneIsNotTimed() {
        greeted("PIPELINING", "CHUNKING");
        client("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
        server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
        out.takeTiming();
        client("BDAT 5\r\n123");
        assertEquals(List.of(UNIT_COMPLETE), out.takeTiming(), "the chunk is still coming: no reply owed yet");
        client("45");
        assertEquals(List.of(AWAITING), out.takeTiming());
        server("250 2.0.0 5 octets received\r\n");
        assertEquals(List.of(ANSWERED), out.takeTiming());
        client("BDAT 3 LAST\r\n678");
        assertEquals(List.of(UNIT_STARTED, UNIT_COMPLETE), out.takeTiming(), "the reply to the last chunk is the message's");
    }

    @Test
    void drainedBetweenTransactionsTheSessionEndsAtOnceWith421() {
        greeted("PIPELINING");
        session.onDrain(out);
        assertEquals("421 4.3.2 Service shutting down, closing transmission channel\r\n", out.client());
        assertEquals(List.of("close"), out.controls());
    }

    @Test
    void drainedInATransactionTheSessionEndsAfterIt() {
        greeted("PIPELINING");
        client("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
        session.onDrain(out);
        server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
        client("body\r\n.\r\n");
        assertFalse(out.finished());
        out.take();
        server("250 2.0.0 Ok: queued\r\n");
        assertEquals("250 2.0.0 Ok: queued\r\n421 4.3.2 Service shutting down, closing transmission channel\r\n", out.client());
        assertTrue(out.finished());
    }

    @Test
    void drainedThePipelinedNextTransactionIsRefusedWith421AfterTheMessagesReply() {
        greeted("PIPELINING");
        client("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
        server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
        session.onDrain(out);
        out.take();
        client("body\r\n.\r\nMAIL FROM:<a@example.com>\r\n");
        assertEquals("body\r\n.\r\n", out.server(), "no new transaction reaches the server");
        server("250 2.0.0 Ok: queued\r\n");
        assertEquals("250 2.0.0 Ok: queued\r\n421 4.3.2 Service shutting down, closing transmission channel\r\n", out.client());
        assertEquals(List.of("close"), out.controls());
    }

    @Test
    void theLogLineGetsTheHeloNameTheSenderDomainTheCountsTheSizeAndTheLastReplyCode() {
        greeted("PIPELINING");
        client("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n");
        server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n354 go ahead\r\n");
        client("body\r\n.\r\nVRFY root\r\n");
        server("250 2.0.0 Ok: queued\r\n");
        assertEquals(Map.of("helo", "c.example", "from", "example.com", "rcpts", "1", "messages", "1", "size", "6",
                "reply", "252"), out.facts());
    }

    private void greeted(String... extensions) {
        server("220 mx ESMTP\r\n");
        client("EHLO c.example\r\n");
        StringBuilder reply = new StringBuilder("250-mx\r\n");
        for (int i = 0; i < extensions.length; i++) {
            reply.append(i < extensions.length - 1 ? "250-" : "250 ").append(extensions[i]).append("\r\n");
        }
        server(reply.toString());
        out.take();
        out.takeTiming();
    }

    private void client(String text) {
        session.onClientData(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), out);
    }

    private void server(String text) {
        session.onServerData(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), out);
    }
}
