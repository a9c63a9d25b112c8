package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpConversation.Reply;
import org.protowrap.dist.SmtpServers.SmtpServer;
import org.protowrap.testkit.Eventually;

/**
 * STARTTLS answered by the wrapper ({@code tls: {certificate, key, mode: starttls}}, default
 * options) in front of plain servers that offer no STARTTLS: real clients verify the wrapper's
 * certificate against a test authority, their messages arrive once and byte for byte, the
 * server sees two EHLOs and never STARTTLS, and what travels inside TLS is validated as in
 * clear: smuggling is refused, plaintext pipelined after STARTTLS is refused.
 */
@Timeout(120)
class SmtpStartTlsIT {

    private static final byte[] MESSAGE = ("Message-Id: <starttls@client.example>\r\nSubject: inside TLS\r\n\r\n"
            + "first line\r\n.a line that starts with a dot\r\nlast line\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private TestCa ca;

    @BeforeEach
    void certificates() throws Exception {
        ca = TestCa.create(Files.createDirectory(dir.resolve("tls")));
    }

    @Test
    void swaksVerifiesTheWrapperAndItsMessageArrivesOnceByteForByte() throws Exception {
        // with its end of data, which swaks takes off and sends again: the message goes as it is
        Path data = Files.write(dir.resolve("message.eml"), (new String(MESSAGE, StandardCharsets.US_ASCII) + ".\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key())) {
            Run swaks = SmtpClients.swaks(dir, wrapper.port(), "--tls", "--tls-verify", "--tls-ca-path", ca.ca().toString(),
                    "--data", data.toString());

            assertEquals(0, swaks.exit(), swaks.output());
            assertTrue(swaks.output().contains("<-  220 2.0.0 Ready to start TLS"), swaks.output());
            assertTrue(swaks.output().contains("<~  250 2.0.0 Ok"), "not accepted inside TLS:\n" + swaks.output());
            assertArrayEquals(MESSAGE, onlyMessage(recorder));
            assertServerSawTwoEhlosAndNoStartTls(recorder);
            String ended = wrapper.awaitLine(" tls=yes");
            // the size is counted as received: the stuffed dot of ".a line" is in it
            assertTrue(ended.contains(" from=example.org") && ended.contains(" size=" + (MESSAGE.length + 1)), ended);
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    @Test
    void smtplibStartsTlsTrustingTheTestAuthority() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, sink.port(), ca.certificate(), ca.key())) {
            Run smtplib = SmtpClients.smtplibStartTls(dir, wrapper.port(), ca.ca(), MESSAGE);

            assertEquals(0, smtplib.exit(), smtplib.output());
            assertTrue(smtplib.output().contains("cipher: ('TLS_"), smtplib.output());
            assertTrue(smtplib.output().contains("refused: {}"), smtplib.output());
            List<Path> messages = sink.messagesSettledTo(1);
            assertEquals(1, messages.size(), "messages at the server: " + messages);
            assertTrue(Files.readString(messages.get(0), StandardCharsets.ISO_8859_1).contains("Subject: inside TLS"));
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    /** Exim as a sending MTA requires STARTTLS and the test authority's certificate, and delivers once. */
    @Test
    void eximRequiringTlsDeliversOnce() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key())) {
            Run exim = SmtpClients.eximStartTls(dir, wrapper.port(), MESSAGE, ca.ca());

            assertTrue(exim.output().contains("SMTP>> STARTTLS"), exim.output());
            assertTrue(exim.output().contains("=> b@example.org") && exim.output().contains("X=TLS"), exim.output());
            assertTrue(exim.output().contains("CV=yes"), "certificate not verified:\n" + exim.output());
            assertEquals(1, recorder.messagesSettledTo(1).size(), "messages at the server");
            String arrived = new String(onlyMessage(recorder), StandardCharsets.ISO_8859_1);
            assertTrue(arrived.endsWith("\r\n\r\nfirst line\r\n.a line that starts with a dot\r\nlast line\r\n"), arrived);
            assertServerSawTwoEhlosAndNoStartTls(recorder);
            wrapper.awaitLine(" tls=yes");
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    /**
     * Postfix's own TLS client, posttls-finger (the code its smtp delivery agent uses), at
     * security level {@code secure}: STARTTLS, chain and name verified against the test authority.
     */
    @Test
    void postfixTlsClientVerifiesTheWrapper() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key())) {
            Path output = dir.resolve("posttls-finger.out");
            // an empty main.cf of its own: Postfix's defaults, and no system configuration needed
            Path config = Files.createDirectory(dir.resolve("postfix"));
            Files.writeString(config.resolve("main.cf"), "");
            ProcessBuilder command = new ProcessBuilder(Tools.require("posttls-finger"), "-l", "secure",
                    "-F", ca.ca().toString(), "[127.0.0.1]:" + wrapper.port(), "localhost")
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            command.environment().put("MAIL_CONFIG", config.toString());
            Process finger = command.start();
            assertTrue(finger.waitFor(30, TimeUnit.SECONDS), "posttls-finger did not end");
            String said = Files.readString(output, StandardCharsets.ISO_8859_1);
            assertEquals(0, finger.exitValue(), said);
            assertTrue(said.contains("Verified TLS connection established"), said);
            assertTrue(said.contains("< 220 2.0.0 Ready to start TLS"), said);
            assertServerSawTwoEhlosAndNoStartTls(recorder);
        }
    }

    /** openssl s_client checks the certificate for the name, then speaks SMTP inside TLS. */
    @Test
    void opensslSClientVerifiesAndSpeaksSmtpInsideTls() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key())) {
            Process client = new ProcessBuilder(Tools.require("openssl"), "s_client", "-starttls", "smtp",
                    "-connect", "127.0.0.1:" + wrapper.port(), "-CAfile", ca.ca().toString(), "-verify_return_error",
                    "-verify_hostname", "localhost", "-crlf", "-quiet")
                    .redirectError(dir.resolve("s_client.err").toFile()).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                    OutputStream out = client.getOutputStream()) {
                out.write("EHLO client.example\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String ehlo = readReply(in);
                assertTrue(ehlo.startsWith("250-") && !ehlo.contains("STARTTLS"), "EHLO inside TLS offers no STARTTLS: " + ehlo);
                out.write("STARTTLS\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertTrue(readReply(in).startsWith("503 5.5.1"), "STARTTLS inside TLS");
                out.write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertTrue(readReply(in).startsWith("221"));
            }
            assertTrue(client.waitFor(20, TimeUnit.SECONDS), "s_client did not end");
            assertTrue(Files.readString(dir.resolve("s_client.err")).contains("verify return:1"),
                    Files.readString(dir.resolve("s_client.err")));
            assertServerSawTwoEhlosAndNoStartTls(recorder);
        }
    }

    /** Every variant of SMTP smuggling is refused inside TLS as it is in clear; nothing reaches the server. */
    @Test
    void smugglingInsideTlsIsRefusedAsInClear() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key())) {
            for (String endOfData : List.of("\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n")) {
                try (SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
                    client.startTls(ca.clientContext().getSocketFactory());
                    client.expect(250, client.command("EHLO client.example"));
                    client.expect(250, client.command("MAIL FROM:<a@example.org>"));
                    client.expect(250, client.command("RCPT TO:<b@example.org>"));
                    client.expect(354, client.command("DATA"));
                    client.send("Subject: first\r\n\r\nhello" + endOfData + "MAIL FROM:<ceo@example.org>\r\n"
                            + "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nspoofed\r\n.\r\n");
                    Reply refused = client.reply();
                    assertEquals(554, refused.code(), refused.text());
                    client.readUntilClosed();
                }
            }
            assertEquals(List.of(), recorder.messagesSettledTo(0), "messages at the server");
            assertFalse(recorder.log().contains("ceo@example.org"), recorder.log());
            wrapper.awaitRejection("smtp.data.bare-lf");
            wrapper.awaitRejection("smtp.data.bare-cr");
            wrapper.awaitLine(" tls=yes");
        }
    }

    /** Plaintext sent right behind STARTTLS (CVE-2011-0411) is refused, never taken as if from inside TLS. */
    @Test
    void plaintextPipelinedAfterStartTlsIsRefused() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startTls(dir, recorder.port(), ca.certificate(), ca.key());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
            Reply refused = client.reply();
            assertEquals(554, refused.code(), refused.text());
            client.readUntilClosed();
            wrapper.awaitRejection("smtp.starttls.injection");
            assertFalse(recorder.log().contains("injected@example.org"), recorder.log());
        }
    }

    /** The next reply's lines, joined by newlines. */
    private static String readReply(BufferedReader in) throws IOException {
        StringBuilder reply = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            reply.append(line).append('\n');
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
        }
        throw new IOException("s_client ended; it read: " + reply);
    }

    private static void assertServerSawTwoEhlosAndNoStartTls(SmtpServer recorder) throws InterruptedException {
        String log = Eventually.poll(Duration.ofSeconds(10), recorder::log, l -> l.split("EHLO", -1).length - 1 >= 2);
        assertEquals(2, log.split("EHLO", -1).length - 1, "EHLOs at the server:\n" + log);
        assertFalse(log.toUpperCase(java.util.Locale.ROOT).contains("STARTTLS"), log);
    }

    private static byte[] onlyMessage(SmtpServer server) throws IOException {
        List<Path> messages = server.messages();
        assertEquals(1, messages.size(), server.name() + " holds " + messages);
        return Files.readAllBytes(messages.get(0));
    }
}
