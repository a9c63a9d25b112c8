package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpConversation.Reply;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * SMTP smuggling (the end-of-data variants published in December 2023) through the image: a
 * client sends a message whose data holds a variant, then a second, smuggled transaction, then
 * a real end of data. The wrapper must refuse with a 5xx and close, and the server must receive
 * no message from that session at all: neither the first (its end never reaches the server) nor
 * the smuggled one. Both servers are tried, each behind its own wrapper, with a scripted client
 * that waits for each reply; every variant is also sent by swaks, a real client. A BDAT chunk
 * for a server that does not know BDAT, which it would read as commands, is refused as well.
 *
 * <p>Each variant is also sent straight to the server, without the wrapper, and what the server
 * makes of it is printed: that documents which variants it would split by itself, and is not
 * asserted (the servers are not under test).
 */
@Timeout(60)
class SmtpSmugglingIT {

    /** A variant: its published name, the bytes that try to end the data, the rule that refuses it. */
    record Variant(String name, String endOfData, String rule) {
        @Override
        public String toString() {
            return name;
        }

        byte[] payload() {
            return ("Subject: first\r\n\r\nhello" + endOfData + "MAIL FROM:<" + SMUGGLED_SENDER + ">\r\n"
                    + "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nspoofed\r\n.\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** A server and the wrapper in front of it. */
    record Backend(SmtpServer server, SmtpWrapper wrapper) {}

    private static final String SMUGGLED_SENDER = "ceo@example.org";

    private static final List<Variant> VARIANTS = List.of(
            new Variant("<LF>.<LF>", "\n.\n", "smtp.data.bare-lf"),
            new Variant("<CR>.<CR>", "\r.\r", "smtp.data.bare-cr"),
            new Variant("<LF>.<CR><LF>", "\n.\r\n", "smtp.data.bare-lf"),
            new Variant("<CR><LF>.<LF>", "\r\n.\n", "smtp.data.bare-lf"),
            new Variant("<CR><LF>.<CR>", "\r\n.\r", "smtp.data.bare-cr"),
            new Variant("<CR><CR><LF>.<CR><CR><LF>", "\r\r\n.\r\r\n", "smtp.data.bare-cr"),
            new Variant("<LF>.<CR><CR><LF>", "\n.\r\r\n", "smtp.data.bare-lf"),
            new Variant("<CR><LF><NUL>.<CR><LF>", "\r\n\0.\r\n", "smtp.data.nul"),
            new Variant("<CR><LF>.<NUL><CR><LF>", "\r\n.\0\r\n", "smtp.data.nul"));

    @TempDir
    static Path dir;

    private static Map<String, Backend> backends;

    @BeforeAll
    static void start() throws Exception {
        SmtpServer recorder = SmtpServers.recorder(Files.createDirectory(dir.resolve("recorder")));
        SmtpWrapper beforeRecorder = SmtpWrapper.start(dir.resolve("recorder"), recorder.port());
        // -v: smtp-sink logs every command it reads.
        SmtpServer sink = SmtpServers.smtpSink(Files.createDirectory(dir.resolve("sink")), "-v");
        SmtpWrapper beforeSink = SmtpWrapper.start(dir.resolve("sink"), sink.port());
        backends = Map.of(recorder.name(), new Backend(recorder, beforeRecorder), sink.name(), new Backend(sink, beforeSink));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Backend backend : backends.values()) {
            backend.wrapper().close();
            backend.server().close();
        }
    }

    static Stream<Arguments> attempts() {
        return VARIANTS.stream().flatMap(v -> Stream.of(Arguments.of(v, "smtp-recorder"), Arguments.of(v, "smtp-sink")));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("attempts")
    void isRefusedAndNothingOfItReachesTheServer(Variant variant, String serverName) throws Exception {
        Backend backend = backends.get(serverName);
        System.out.println("smuggling " + variant + " without the wrapper: " + straightTo(backend.server(), variant));
        Marks marks = Marks.of(backend);

        try (SmtpConversation client = SmtpConversation.greeted(backend.wrapper().port())) {
            startData(client);
            client.send(variant.payload());
            Reply refusal = client.reply();
            assertEquals(5, refusal.code() / 100, "the wrapper's reply: " + refusal.text());
            client.readUntilClosed();
        }

        assertNothingOfTheAttemptArrived(backend, variant, marks);
    }

    /** swaks sends the data exactly as given with --no-data-fixup: a real client trying the same. */
    @ParameterizedTest(name = "{0} from swaks")
    @MethodSource("variants")
    void fromSwaksIsRefusedAndNothingOfItReachesTheServer(Variant variant) throws Exception {
        Backend backend = backends.get("smtp-recorder");
        Path data = Files.write(dir.resolve("smuggling.eml"), variant.payload());
        Marks marks = Marks.of(backend);

        Run swaks = SmtpClients.swaks(dir, backend.wrapper().port(), "--no-data-fixup", "--data", data.toString());

        assertTrue(swaks.output().contains("<** 554 5."), swaks.output());
        assertNothingOfTheAttemptArrived(backend, variant, marks);
    }

    /**
     * BDAT to a server that did not offer CHUNKING: such a server may read the chunk's octets as
     * commands (smtp-sink does, as printed), so a chunk could hide a transaction. The wrapper
     * refuses the BDAT, drops its chunk, and the session goes on.
     */
    @Test
    void aChunkForAServerWithoutChunkingNeverReachesIt() throws Exception {
        Backend backend = backends.get("smtp-sink");
        String bdat = "RSET\r\nMAIL FROM:<" + SMUGGLED_SENDER + ">\r\nRCPT TO:<b@example.org>\r\n";
        bdat = "BDAT " + bdat.length() + " LAST\r\n" + bdat;
        try (SmtpConversation client = SmtpConversation.greeted(backend.server().port())) {
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.send(bdat + "QUIT\r\n");
            System.out.println("BDAT without CHUNKING straight to smtp-sink, replies " + replyCodes(client.readUntilClosed()));
        }
        Marks marks = Marks.of(backend);

        try (SmtpConversation client = SmtpConversation.greeted(backend.wrapper().port())) {
            client.expect(250, client.command("MAIL FROM:<a@example.org>"));
            client.send(bdat);
            client.expect(502, client.reply());
            client.expect(250, client.command("NOOP"));
            client.expect(221, client.command("QUIT"));
        }

        String serverLog = backend.server().log().substring(marks.serverLog());
        assertFalse(serverLog.contains(SMUGGLED_SENDER), "the chunk reached the server:\n" + serverLog);
        assertTrue(serverLog.contains("NOOP"), "the session did not go on:\n" + serverLog);
        backend.wrapper().awaitRejection("smtp.extension.unadvertised", marks.wrapperLog());
    }

    static List<Variant> variants() {
        return VARIANTS;
    }

    /** Where the logs stood before an attempt; the server's messages are forgotten. */
    private record Marks(int wrapperLog, int serverLog) {
        static Marks of(Backend backend) throws IOException {
            backend.server().forgetMessages();
            return new Marks(backend.wrapper().logLength(), backend.server().log().length());
        }
    }

    /**
     * Only a sentinel sent afterwards reached the server as a message, the smuggled command never
     * reached it at all, and the wrapper logged its refusal under the variant's rule.
     */
    private static void assertNothingOfTheAttemptArrived(Backend backend, Variant variant, Marks marks)
            throws IOException, InterruptedException {
        SmtpServer server = backend.server();
        deliverSentinel(server, variant);
        List<Path> messages = server.messagesSettledTo(1);
        assertEquals(1, messages.size(), "only the sentinel may arrive, the server holds " + messages);
        assertTrue(Files.readString(messages.get(0), StandardCharsets.ISO_8859_1).contains("Subject: sentinel"),
                "the message is not the sentinel");
        String serverLog = server.log().substring(marks.serverLog());
        assertFalse(serverLog.contains(SMUGGLED_SENDER), "the smuggled command reached the server:\n" + serverLog);
        assertTrue(backend.wrapper().awaitRejection(variant.rule(), marks.wrapperLog()).contains("action=enforce"));
    }

    /**
     * A message sent straight to the server after the attempt: once it is recorded, anything of
     * the attempt that had reached the server would have been recorded before it.
     */
    private static void deliverSentinel(SmtpServer server, Variant variant) throws IOException {
        try (SmtpConversation client = SmtpConversation.greeted(server.port())) {
            startData(client);
            client.send("Subject: sentinel\r\n\r\nafter " + variant + "\r\n.\r\n");
            client.expect(250, client.reply());
            client.expect(221, client.command("QUIT"));
        }
    }

    private static void startData(SmtpConversation client) throws IOException {
        client.expect(250, client.command("MAIL FROM:<a@example.org>"));
        client.expect(250, client.command("RCPT TO:<b@example.org>"));
        client.expect(354, client.command("DATA"));
    }

    /** What {@code server} makes of the variant when nothing stands in front of it. */
    private static String straightTo(SmtpServer server, Variant variant) throws IOException {
        server.forgetMessages();
        String replies;
        try (SmtpConversation client = SmtpConversation.greeted(server.port())) {
            startData(client);
            client.send(variant.payload());
            client.send("QUIT\r\n");
            replies = client.readUntilClosed();
        }
        int recorded = server.messages().size();
        return server.name() + " recorded " + recorded + " message(s)" + (recorded > 1 ? " (split)" : "")
                + ", replies " + replyCodes(replies);
    }

    private static String replyCodes(String replies) {
        return replies.lines().map(l -> l.length() >= 3 ? l.substring(0, 3) : l).collect(Collectors.joining(" "));
    }
}
