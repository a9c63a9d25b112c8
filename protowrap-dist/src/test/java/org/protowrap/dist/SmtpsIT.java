package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpServers.SmtpServer;
import org.protowrap.testkit.Eventually;

/**
 * SMTP over implicit TLS (SMTPS, as on port 465): the image's {@code smtp} wrapper terminates TLS
 * with its defaults in front of a plain smtp-sink. swaks and Python's {@code SMTP_SSL} deliver
 * once, and a bare-LF end of data inside TLS is refused as it is in clear.
 */
@Timeout(60)
class SmtpsIT {

    private static final String SMUGGLED_SENDER = "ceo@example.org";

    @TempDir
    static Path dir;

    private static TlsCertificates authority;
    private static SmtpServer sink;
    private static ExternalProcess protowrap;
    private static int smtpsPort;
    private static int clearPort;

    @BeforeAll
    static void start() throws Exception {
        authority = TlsCertificates.authority(dir.resolve("certificates"));
        TlsCertificates.Issued mail = authority.issue("mail", "localhost", "127.0.0.1");
        // -v: smtp-sink logs every command it reads.
        sink = SmtpServers.smtpSink(Files.createDirectory(dir.resolve("sink")), "-v");
        smtpsPort = SmtpPorts.unused();
        clearPort = SmtpPorts.unused();
        protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - name: smtps
                    protocol: smtp
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    tls: {certificate: %s, key: %s, mode: implicit}
                  - {name: mail, protocol: smtp, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                """.formatted(smtpsPort, sink.port(), mail.certificate(), mail.key(), clearPort, sink.port()),
                smtpsPort, clearPort);
    }

    @AfterAll
    static void stop() throws Exception {
        try (ExternalProcess p = protowrap; SmtpServer s = sink) {
            if (p != null) {
                assertTrue(p.isAlive(), "protowrap exited during the tests:\n" + p.output());
            }
        }
    }

    @BeforeEach
    void forgetMessages() throws Exception {
        sink.forgetMessages();
    }

    @Test
    void swaksWithTlsOnConnectDeliversOnce() throws Exception {
        Run swaks = SmtpClients.swaks(dir, smtpsPort, "--tls-on-connect", "--tls-verify", "--tls-ca-path",
                authority.caFile().toString(), "--tls-sni", "localhost", "--header", "Subject: over SMTPS");
        assertEquals(0, swaks.exit(), swaks.output());
        assertTrue(swaks.output().contains("TLS started with cipher TLSv1.3"), swaks.output());
        assertDeliveredOnce("Subject: over SMTPS");
    }

    @Test
    void pythonSmtpSslDeliversOnce() throws Exception {
        String script = """
                import smtplib, ssl, sys
                context = ssl.create_default_context(cafile=sys.argv[2])
                with smtplib.SMTP_SSL("localhost", int(sys.argv[1]), local_hostname="client.example",
                                      context=context, timeout=20) as s:
                    print("refused:", s.sendmail("a@example.org", ["b@example.org"],
                                                 b"Subject: from SMTP_SSL\\r\\n\\r\\nhello\\r\\n"))
                    print(s.sock.version())
                """;
        Path err = dir.resolve("smtp_ssl.err");
        Process python = new ProcessBuilder(SmtpServers.SYSTEM_PYTHON, "-c", script, Integer.toString(smtpsPort),
                authority.caFile().toString()).redirectError(err.toFile()).start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, python.waitFor(), out + Files.readString(err));
        assertEquals("refused: {}\nTLSv1.3\n", out, Files.readString(err));
        assertDeliveredOnce("Subject: from SMTP_SSL");
    }

    @Test
    void bareLfEndOfDataInsideTlsIsRefusedAsInClear() throws Exception {
        byte[] payload = ("Subject: first\r\n\r\nhello\n.\nMAIL FROM:<" + SMUGGLED_SENDER + ">\r\n"
                + "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nspoofed\r\n.\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        int sinkMark = sink.log().length();
        int mark = protowrap.output().length();

        String inClear = attempt(SmtpConversation.connect(clearPort), payload);
        String insideTls = attempt(SmtpConversation.over(authority.clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), smtpsPort)), payload);

        assertEquals(inClear, insideTls);
        assertTrue(insideTls.startsWith("554 5."), insideTls);
        List<String> refusals = awaitRefusals(mark, 2);
        assertTrue(refusals.stream().anyMatch(l -> l.contains("wrapper=smtps ")), String.join("\n", refusals));
        assertEquals(List.of(), sink.messagesSettledTo(0), "a message of the attempt arrived");
        String sinkLog = sink.log().substring(sinkMark);
        assertFalse(sinkLog.contains(SMUGGLED_SENDER), "the smuggled command reached the server:\n" + sinkLog);
    }

    /** Starts a message on {@code client}, sends {@code payload} as its data, returns the wrapper's reply. */
    private static String attempt(SmtpConversation client, byte[] payload) throws Exception {
        try (client) {
            SmtpConversation.greeted(client);
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.expect(250, client.command("RCPT TO:<b@example.org>"));
            client.expect(354, client.command("DATA"));
            client.send(payload);
            String reply = client.reply().text();
            client.readUntilClosed();
            return reply;
        }
    }

    /** The bare-LF refusals logged since {@code mark}, once there are {@code count}; fails if they do not come. */
    private static List<String> awaitRefusals(int mark, int count) throws InterruptedException {
        List<String> refusals = Eventually.poll(Duration.ofSeconds(10), () -> protowrap.output().substring(mark).lines()
                .filter(l -> l.contains(" rule=smtp.data.bare-lf ") && l.contains(" action=enforce")).toList(),
                found -> found.size() >= count);
        assertEquals(count, refusals.size(), protowrap.output().substring(mark));
        return refusals;
    }

    private static void assertDeliveredOnce(String subject) throws Exception {
        List<Path> messages = sink.messagesSettledTo(1);
        assertEquals(1, messages.size(), "the sink holds " + messages);
        assertTrue(Files.readString(messages.getFirst(), StandardCharsets.ISO_8859_1).contains(subject));
    }
}
