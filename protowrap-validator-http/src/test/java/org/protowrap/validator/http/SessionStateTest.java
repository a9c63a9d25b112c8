package org.protowrap.validator.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/** Paths where the session ends the connection in the middle of another change of state. */
class SessionStateTest {

    /** Three field lines of 400 bytes: more than a response head held across reads may have. */
    private static final String PADDING = ("X-Pad: " + "p".repeat(392) + "\r\n").repeat(3);

    private final ValidatorSession session = SessionDriver
            .validator(true, Map.of(), Map.of("maxFieldLine", 512, "maxHeaderSection", 1024)).newSession(SessionCorpus.INFO);
    private final RecordingDecisions out = new RecordingDecisions();

    private void client(String text) {
        session.onClientData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    private void server(String text) {
        session.onServerData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    @Test
    void aSwitchWhoseHeadIsTooLongClosesInsteadOfSwitching() {
        client("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
        server("HTTP/1.1 101 Switching Protocols\r\n");
        server("Upgrade: websocket\r\n" + PADDING + "\r\nframe");

        assertTrue(out.closed());
        assertTrue(out.rawReason().isEmpty());
        assertEquals(1, out.serverFaults().size(), out.serverFaults().toString());
        assertEquals("", out.client());
    }

    @Test
    void aFinalResponseWhoseHeadIsTooLongReachesTheClientInNoPart() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\n");
        server("Content-Length: 0\r\n" + PADDING + "\r\n");

        assertTrue(out.closed());
        assertEquals(1, out.serverFaults().size(), out.serverFaults().toString());
        assertEquals("", out.client());
    }
}
