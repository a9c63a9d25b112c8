package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpConversation.Reply;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * The wrapper's session rules through the image, in front of real servers: what it refuses
 * never reaches the server, the client gets the documented reply, the connection ends or goes
 * on as documented, and the log names the rule.
 */
@Timeout(60)
class SmtpPolicyIT {

    @TempDir
    Path dir;

    /** The server greets a second late, so the client's early EHLO surely comes first. */
    @Test
    void aClientTalkingBeforeTheGreetingIsRefusedAndCutOff() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--greeting-delay", "1");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.connect(wrapper.port())) {
            client.send("EHLO early.example\r\n");

            assertStartsWith("554 5.5.0", client.reply());
            client.readUntilClosed();
            assertLogged(wrapper, "smtp.pregreet");
            assertFalse(recorder.log().contains("early.example"), recorder.log());
        }
    }

    /**
     * smtp-sink -p does not offer PIPELINING: a client that sends MAIL, RCPT and DATA together is
     * cut off after MAIL. smtp-sink -v logs each command it reads.
     */
    @Test
    void pipeliningAServerDidNotOfferIsRefusedAndCutOff() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir, "-p", "-v");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port());
                SmtpConversation client = SmtpConversation.connect(wrapper.port())) {
            client.expect(220, client.reply());
            Reply ehlo = client.expect(250, client.command("EHLO client.example"));
            assertFalse(ehlo.text().contains("PIPELINING"), ehlo.text());
            client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");

            String rest = client.readUntilClosed();
            assertTrue(rest.contains("554 5.5.0"), rest);
            assertLogged(wrapper, "smtp.pipelining.unadvertised");
            assertEquals(List.of(), sink.messagesSettledTo(0));
            assertFalse(sink.log().contains("RCPT TO"), sink.log());
        }
    }

    @Test
    void starttlsIsHiddenFromTheClientAndRefused() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--starttls");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port())) {
            Run direct = SmtpClients.swaks(dir, recorder.port(), "--quit-after", "EHLO");
            assertTrue(direct.output().contains("<-  250-STARTTLS"), "the server offers STARTTLS:\n" + direct.output());
            Run wrapped = SmtpClients.swaks(dir, wrapper.port(), "--quit-after", "EHLO");
            assertEquals(0, wrapped.exit(), wrapped.output());
            assertFalse(wrapped.output().contains("STARTTLS"), "the client is offered STARTTLS:\n" + wrapped.output());

            try (SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
                assertStartsWith("502 5.5.1", client.command("STARTTLS"));
                client.expect(250, client.command("NOOP"));
            }
            assertLogged(wrapper, "smtp.starttls.denied");
            assertFalse(recorder.log().contains("b'STARTTLS'"), recorder.log());
        }
    }

    @Test
    void vrfyIsAnswered252AndTheSessionGoesOn() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            assertStartsWith("252 2.0.0", client.command("VRFY postmaster"));
            client.expect(250, client.command("NOOP"));

            assertLogged(wrapper, "smtp.vrfy");
            assertFalse(recorder.log().contains("VRFY"), recorder.log());
        }
    }

    @Test
    void aSpaceAfterTheColonIsRefusedAndTheSessionGoesOn() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            assertStartsWith("501 5.5.4", client.command("MAIL FROM: <a@example.org>"));
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.expect(250, client.command("RCPT TO:<b@example.org>"));
            client.expect(354, client.command("DATA"));
            client.send("Subject: after a refused MAIL\r\n\r\nbody\r\n.\r\n");
            client.expect(250, client.reply());
            client.expect(221, client.command("QUIT"));

            assertLogged(wrapper, "smtp.path.space-after-colon");
            assertEquals(1, recorder.messages().size(), "messages at the server");
            assertFalse(recorder.log().contains("MAIL FROM: <"), recorder.log());
        }
    }

    /** The client has sent no line end yet: the refusal comes anyway, and the session goes on after the line. */
    @Test
    void aCommandLineOverTheLimitIsRefusedBeforeItsEnd() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.send("NOOP " + "x".repeat(600));

            assertStartsWith("500 5.5.2", client.reply());
            client.send("x".repeat(100) + "\r\n");
            client.expect(250, client.command("NOOP"));
            assertLogged(wrapper, "smtp.command.too-long");
            assertFalse(recorder.log().contains("xxxx"), recorder.log());
        }
    }

    /** The server offers SMTPUTF8: still, a transaction whose MAIL did not ask for it takes no UTF-8 address. */
    @Test
    void aNonAsciiRecipientWithoutSmtpUtf8IsRefused() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--smtputf8");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.send("RCPT TO:<j\u00f6rg@example.org>\r\n".getBytes(StandardCharsets.UTF_8));

            assertStartsWith("553 5.6.7", client.reply());
            client.expect(250, client.command("RCPT TO:<b@example.org>"));
            assertLogged(wrapper, "smtp.utf8.undeclared");
            assertFalse(recorder.log().contains("rg@example.org"), recorder.log());
        }
    }

    /** shutdownGrace is 1 s here: a client still in its transaction then is told so, in SMTP. */
    @Test
    void aClientStillInItsSessionWhenTheShutdownGraceEndsGets421() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            AtomicInteger exit = new AtomicInteger(-1);
            Thread stopping = Thread.ofVirtual().start(() -> {
                try {
                    exit.set(wrapper.terminate());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            assertStartsWith("421 4.3.2", client.reply());
            assertEquals("", client.readUntilClosed());
            stopping.join();
            assertEquals(0, exit.get(), wrapper.log());
            assertTrue(wrapper.log().contains("outcome=shutdown"), wrapper.log());
        }
    }

    private static void assertStartsWith(String expected, Reply reply) {
        assertTrue(reply.text().startsWith(expected), "expected " + expected + "..., got: " + reply.text());
    }

    /** The rejection's log line names the wrapper, the rule and that it was enforced. */
    private static void assertLogged(SmtpWrapper wrapper, String rule) throws InterruptedException {
        String line = wrapper.awaitRejection(rule);
        assertTrue(line.contains("wrapper=mail ") && line.contains(" action=enforce "), line);
    }
}
