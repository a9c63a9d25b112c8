package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * Exim as a sending MTA and Python's smtplib, through the image's {@code smtp} wrapper with its
 * default options: each message arrives once, byte for byte, and the client sees it delivered.
 */
@Timeout(120)
class SmtpMtaClientsIT {

    private static final String HEADER = "Message-Id: <mta@client.example>\r\nSubject: through the wrapper\r\n";
    private static final String BODY = "first line\r\n.a line that starts with a dot\r\nlast line\r\n";
    private static final byte[] MESSAGE = (HEADER + "\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    /**
     * Exim sends the message with BDAT and pipelines QUIT right after the last chunk, as RFC
     * 2920 and RFC 3030 allow: the wrapper must relay the server's acceptance, not a protocol
     * error.
     */
    @Test
    void eximSendsWithBdatAndPipelinedQuitAndTheMessageArrivesOnce() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--chunking");
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port())) {
            Run exim = SmtpClients.exim(dir, wrapper.port(), MESSAGE);

            Matcher lastChunk = Pattern.compile("SMTP\\+> BDAT (\\d+) LAST\\n\\s*SMTP\\+> QUIT").matcher(exim.output());
            assertTrue(lastChunk.find(), "Exim did not pipeline QUIT after BDAT LAST:\n" + exim.output());
            assertDelivered(exim);
            byte[] arrived = onlyMessage(recorder);
            assertEquals(Integer.parseInt(lastChunk.group(1)), arrived.length, "octets Exim sent in its chunk");
            assertEximMessage(arrived);
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    /** Without CHUNKING at the server, Exim sends DATA and pipelines QUIT after the end of data. */
    @Test
    void eximSendsWithDataAndTheMessageArrivesOnce() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port())) {
            Run exim = SmtpClients.exim(dir, wrapper.port(), MESSAGE);

            assertTrue(exim.output().contains("SMTP>> DATA"), exim.output());
            assertDelivered(exim);
            assertEximMessage(onlyMessage(recorder));
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    @Test
    void smtplibMessageArrivesByteForByte() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir); SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port())) {
            Run smtplib = SmtpClients.smtplib(dir, wrapper.port(), MESSAGE);

            assertEquals(0, smtplib.exit(), smtplib.output());
            assertTrue(smtplib.output().contains("refused: {}"), smtplib.output());
            assertArrayEquals(MESSAGE, onlyMessage(recorder));
            assertFalse(wrapper.log().contains(" rule="), wrapper.log());
        }
    }

    /** Exim's log says the message went ({@code =>}) and its queue entry is done, and nothing failed. */
    private static void assertDelivered(Run exim) {
        assertTrue(exim.output().contains("=> b@example.org"), exim.output());
        assertTrue(exim.output().contains("Completed"), exim.output());
        assertFalse(exim.output().contains("** b@example.org") || exim.output().contains("== b@example.org"),
                exim.output());
    }

    /** Exim adds header fields (Received on top, From and Date after ours): the rest arrives as it was. */
    private static void assertEximMessage(byte[] arrived) {
        String text = new String(arrived, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("Received: ") && text.contains("\r\n" + HEADER), text);
        assertTrue(text.endsWith("\r\n\r\n" + BODY), text);
    }

    private static byte[] onlyMessage(SmtpServer server) throws IOException {
        List<Path> messages = server.messages();
        assertEquals(1, messages.size(), server.name() + " holds " + messages);
        return Files.readAllBytes(messages.get(0));
    }
}
