package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * Mail through the image's {@code smtp} wrapper to real servers, sent by real clients: every
 * message a client saw accepted arrives at the server exactly once, with its bytes intact.
 */
@Timeout(90)
class SmtpDeliveryIT {

    @TempDir
    Path dir;

    @Test
    void swaksMessageArrivesOnceWithHeadersAndBodyIntact() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port())) {
            Run swaks = SmtpClients.swaks(dir, wrapper.port(), "--header", "Message-Id: <single@client.example>",
                    "--header", "Subject: through the wrapper",
                    "--body", "first line\n.a line that starts with a dot\nlast line");

            assertEquals(0, swaks.exit(), swaks.output());
            assertTrue(swaks.output().contains("<-  250 2.0.0 Ok"), swaks.output());
            String message = onlyMessage(sink);
            assertTrue(message.contains("X-Mail-Args: <a@example.org>\n"), message);
            assertTrue(message.contains("X-Rcpt-Args: <b@example.org>\n"), message);
            assertTrue(message.contains("\nMessage-Id: <single@client.example>\n"), message);
            assertTrue(message.contains("\nSubject: through the wrapper\n"), message);
            assertTrue(message.contains("\n\nfirst line\n.a line that starts with a dot\nlast line\n"), message);
        }
    }

    @Test
    void swaksPipelinedMessageArrivesOnce() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port())) {
            Run swaks = SmtpClients.swaks(dir, wrapper.port(), "--pipeline", "--to", "b@example.org,c@example.org",
                    "--header", "Message-Id: <pipelined@client.example>");

            assertEquals(0, swaks.exit(), swaks.output());
            List<String> lines = swaks.output().lines().toList();
            // Pipelined: MAIL, both RCPTs and DATA went out before the first of their replies came back.
            assertTrue(lines.indexOf(" -> DATA") >= 0 && lines.indexOf(" -> DATA") < lines.indexOf("<-  250 2.1.0 Ok"),
                    "swaks did not pipeline:\n" + swaks.output());
            String message = onlyMessage(sink);
            assertTrue(message.contains("X-Rcpt-Args: <b@example.org>\nX-Rcpt-Args: <c@example.org>\n"), message);
            assertTrue(message.contains("\nMessage-Id: <pipelined@client.example>\n"), message);
        }
    }

    /** HELO instead of EHLO: a session without any extension. */
    @Test
    void swaksHeloSessionArrivesOnce() throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port())) {
            Run swaks = SmtpClients.swaks(dir, wrapper.port(), "--protocol", "SMTP",
                    "--header", "Message-Id: <helo@client.example>");

            assertEquals(0, swaks.exit(), swaks.output());
            assertTrue(swaks.output().contains(" -> HELO client.example"), swaks.output());
            String message = onlyMessage(sink);
            assertTrue(message.contains("X-Client-Proto: SMTP\n"), message);
            assertTrue(message.contains("\nMessage-Id: <helo@client.example>\n"), message);
        }
    }

    /**
     * Some 4 MB of mail text, many lines starting with dots, written at once: TCP splits it where
     * it likes, so read boundaries fall inside dot-stuffed line starts and CRLFs. The server must
     * get every line back as it was before stuffing.
     */
    @Test
    void largeDotStuffedMessageArrivesIntact() throws Exception {
        List<byte[]> lines = textLines(new Random(2023), 40_000);
        ByteArrayOutputStream original = new ByteArrayOutputStream();
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            original.writeBytes(line);
            original.writeBytes(ascii("\r\n"));
            stuffed.writeBytes(line.length > 0 && line[0] == '.' ? ascii(".") : new byte[0]);
            stuffed.writeBytes(line);
            stuffed.writeBytes(ascii("\r\n"));
        }
        stuffed.writeBytes(ascii(".\r\n"));
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.expect(250, client.command("RCPT TO:<b@example.org>"));
            client.expect(354, client.command("DATA"));
            client.send(stuffed.toByteArray());
            client.expect(250, client.reply());
            client.expect(221, client.command("QUIT"));

            assertArrayEquals(original.toByteArray(), onlyMessageBytes(recorder));
        }
    }

    /** Lines of up to 200 octets (8-bit ones too), a third of them starting with one to three dots. */
    private static List<byte[]> textLines(Random random, int count) {
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder(".".repeat(random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0));
            for (int length = random.nextInt(200); line.length() < length; ) {
                line.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0xa0 + random.nextInt(0x60)));
            }
            lines.add(ascii(line.toString()));
        }
        return lines;
    }

    /**
     * With PIPELINING the end of data is not a point to wait at: each message's end goes out
     * with the next transaction's MAIL, RCPT and DATA in one write, over one connection.
     */
    @Test
    void pipelinedTransactionsBackToBackEachArriveOnce() throws Exception {
        int count = 20;
        String transaction = "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            client.send(transaction);
            expectTransactionOpened(client);
            for (int i = 1; i <= count; i++) {
                client.send("Subject: message " + i + "\r\n\r\nbody\r\n.\r\n" + (i < count ? transaction : "QUIT\r\n"));
                client.expect(250, client.reply());
                if (i < count) {
                    expectTransactionOpened(client);
                }
            }
            client.expect(221, client.reply());

            List<Path> messages = recorder.messages();
            assertEquals(count, messages.size(), "messages at the server");
            for (int i = 1; i <= count; i++) {
                String message = Files.readString(messages.get(i - 1), StandardCharsets.ISO_8859_1);
                assertTrue(message.startsWith("Subject: message " + i + "\r\n"), message);
            }
        }
    }

    private static void expectTransactionOpened(SmtpConversation client) throws IOException {
        client.expect(250, client.reply());
        client.expect(250, client.reply());
        client.expect(354, client.reply());
    }

    /** swaks cannot send BDAT: a scripted client does, waiting for each chunk's reply. */
    @Test
    void bdatMessageArrivesOnceWithItsChunksIntact() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--chunking");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.connect(wrapper.port())) {
            client.expect(220, client.reply());
            var ehlo = client.expect(250, client.command("EHLO client.example"));
            assertTrue(ehlo.lines().stream().anyMatch(l -> l.substring(4).equals("CHUNKING")), ehlo.text());
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.expect(250, client.command("RCPT TO:<b@example.org>"));
            for (int i = 0; i < CHUNKS.size(); i++) {
                client.send(bdat(CHUNKS.get(i), i == CHUNKS.size() - 1));
                client.expect(250, client.reply());
            }
            client.expect(221, client.command("QUIT"));

            assertArrayEquals(concatenated(CHUNKS), onlyMessageBytes(recorder));
        }
    }

    /** The whole transaction in one write: RFC 3030 lets BDAT chunks follow each other unanswered. */
    @Test
    void pipelinedBdatMessageArrivesOnceWithItsChunksIntact() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--chunking");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            ByteArrayOutputStream transaction = new ByteArrayOutputStream();
            transaction.writeBytes(ascii("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"));
            for (int i = 0; i < CHUNKS.size(); i++) {
                transaction.writeBytes(bdat(CHUNKS.get(i), i == CHUNKS.size() - 1));
            }
            client.send(transaction.toByteArray());
            for (int reply = 0; reply < 2 + CHUNKS.size(); reply++) {
                client.expect(250, client.reply());
            }
            client.expect(221, client.command("QUIT"));

            assertArrayEquals(concatenated(CHUNKS), onlyMessageBytes(recorder));
        }
    }

    @Test
    void everyMessageSmtpSourceSawAcceptedArrivesExactlyOnce() throws Exception {
        assertSmtpSourceMessagesArriveExactlyOnce(2000, "-s", "10", "-l", "2048");
    }

    /** smtp-source -d sends each session's messages over one connection, one transaction after another. */
    @Test
    void everyMessageSentOverLongSessionsArrivesExactlyOnce() throws Exception {
        assertSmtpSourceMessagesArriveExactlyOnce(1000, "-d", "-s", "5", "-l", "512");
    }

    private void assertSmtpSourceMessagesArriveExactlyOnce(int messages, String... options) throws Exception {
        try (SmtpServer sink = SmtpServers.smtpSink(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, sink.port())) {
            List<String> args = new ArrayList<>(List.of(options));
            args.addAll(List.of("-m", Integer.toString(messages), "-f", "a@example.org", "-t", "b@example.org", "-c"));
            Run source = SmtpClients.smtpSource(dir, wrapper.port(), args.toArray(String[]::new));

            assertEquals(0, source.exit(), source.output());
            assertFalse(source.output().contains("warning") || source.output().contains("fatal"), source.output());
            int accepted = lastCount(source.output());
            assertEquals(messages, accepted, "smtp-source's count of accepted messages");
            List<Path> arrived = sink.messages();
            assertEquals(accepted, arrived.size(), "messages at the server");
            assertEquals(accepted, messageIds(arrived).size(), "distinct Message-Ids at the server");
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    /**
     * Chunks whose octets must reach the server as they are: an end-of-data line, a command and
     * bare line ends inside a chunk end nothing, nor does a chunk that stops inside CRLF . CRLF.
     */
    private static final List<byte[]> CHUNKS = List.of(
            ascii("Message-Id: <chunked@client.example>\r\nSubject: in chunks\r\n\r\nfirst chunk\r\n.\r\n"
                    + "MAIL FROM:<mallory@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"),
            ascii("bare LF\n.\nbare CR\r.\rNUL \0 and 8-bit \u00e9\u00ff\r\n."),
            ascii("\r\nlast chunk\r\n"));

    private static byte[] bdat(byte[] chunk, boolean last) {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        command.writeBytes(ascii("BDAT " + chunk.length + (last ? " LAST" : "") + "\r\n"));
        command.writeBytes(chunk);
        return command.toByteArray();
    }

    private static byte[] concatenated(List<byte[]> chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        return all.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String onlyMessage(SmtpServer server) throws IOException {
        return new String(onlyMessageBytes(server), StandardCharsets.ISO_8859_1);
    }

    private static byte[] onlyMessageBytes(SmtpServer server) throws IOException {
        List<Path> messages = server.messages();
        assertEquals(1, messages.size(), server.name() + " holds " + messages);
        return Files.readAllBytes(messages.get(0));
    }

    /** smtp-source's running counter ({@code -c}) is printed as numbers separated by CRs. */
    private static int lastCount(String output) {
        Matcher counts = Pattern.compile("\\d+").matcher(output);
        int last = 0;
        while (counts.find()) {
            last = Integer.parseInt(counts.group());
        }
        return last;
    }

    private static Set<String> messageIds(List<Path> messages) throws IOException {
        Pattern messageId = Pattern.compile("(?m)^Message-Id: (.+)$");
        Set<String> ids = new HashSet<>();
        for (Path message : messages) {
            Matcher m = messageId.matcher(Files.readString(message, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }
}
