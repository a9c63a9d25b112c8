package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.protowrap.api.Decisions;
import org.protowrap.api.ValidatorSession;

class RecordingDecisionsTest {

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void likeTheEngineItIgnoresDecisionsAfterCloseAndCountsThem() {
        RecordingDecisions out = new RecordingDecisions();
        out.sendToServer(bytes("a"));
        out.sendCredentialsToServer(bytes("secret"));
        out.sendToClient(bytes("b"));
        out.close();
        out.sendToClient(bytes("late"));
        out.relayRaw("late");
        assertEquals("asecret", out.server());
        assertEquals("secret", out.credentialsText());
        assertEquals("b", out.client());
        assertEquals(List.of("close"), out.controls());
        assertEquals(2, out.ignored());
    }

    @Test
    void unitsFactsExchangesAndTheServersDebtAreKept() {
        RecordingDecisions out = new RecordingDecisions();
        out.clientUnitStarted();
        out.clientUnitStarted();
        assertTrue(out.unitOpen());
        out.clientUnitComplete();
        out.clientUnitComplete();
        out.awaitingServer(true);
        out.describe("method", "GET");
        out.describe("status", "200");
        out.describe("method", "PUT");
        out.exchangeComplete();
        assertEquals(1, out.unitsCompleted());
        assertTrue(out.awaitingServer());
        assertEquals(Map.of("method", "PUT", "status", "200"), out.facts());
        assertEquals(1, out.exchanges());
        RecordingDecisions.Snapshot first = out.take();
        assertEquals("", first.server());
        assertEquals(List.of("unit+", "unit+", "unit-", "unit-", "await+", "exchange"), out.takeTiming());
        assertEquals(List.of(), out.takeTiming());
        out.abortServer();
        out.sendToServer(bytes("to a new backend"));
        RecordingDecisions.Snapshot second = out.take();
        assertEquals(List.of("abort"), second.controls());
        assertEquals("to a new backend", second.server());
        assertTrue(out.aborted());
        assertEquals(0, out.ignored());
    }

    /**
     * Forwards byte by byte up to a NUL, then closes; at a '!' it hands the connection to the raw
     * relay and passes on the rest of the read, as the API allows.
     */
    private static final ValidatorSession UNTIL_NUL = new ValidatorSession() {
        @Override
        public void onClientData(ByteBuffer data, Decisions out) {
            while (data.hasRemaining()) {
                int at = data.position();
                byte b = data.get();
                if (b == 0) {
                    out.close();
                    return;
                }
                if (b == '!') {
                    out.relayRaw("asked");
                    out.sendToServer(data);
                    return;
                }
                out.sendToServer(data.duplicate().position(at).limit(at + 1));
            }
        }
    };

    @Test
    void readsAreHandedAsTheEngineDoesReadOnlyNotFromZeroAndNothingAfterClose() {
        RecordingDecisions out = new RecordingDecisions();
        List<ByteBuffer> handed = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        ValidatorSession watching = (data, decisions) -> {
            handed.add(data);
            positions.add(data.position());
            UNTIL_NUL.onClientData(data, decisions);
        };
        out.fromClient(watching, "ab".getBytes(StandardCharsets.ISO_8859_1));
        out.fromClient(watching, new byte[] {'c', 0, 'd'});
        out.fromClient(watching, "late".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("abc", out.server());
        assertTrue(out.closed());
        assertEquals(2, handed.size(), "the engine reads nothing after a close");
        assertTrue(handed.getFirst().isReadOnly());
        assertNotEquals(0, positions.getFirst(), "a session must read from the buffer's position");
    }

    @Test
    void afterRelayRawReadsGoThroughUnseen() {
        RecordingDecisions out = new RecordingDecisions();
        out.fromClient(UNTIL_NUL, "a!b".getBytes(StandardCharsets.ISO_8859_1));
        out.fromClient(UNTIL_NUL, "\0c".getBytes(StandardCharsets.ISO_8859_1));
        out.fromServer(UNTIL_NUL, "reply".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("ab\0c", out.server(), "the rest of the read the session passed on, then the raw relay");
        assertEquals("reply", out.client());
        assertEquals(Optional.of("asked"), out.rawReason());
        assertFalse(out.closed());
        assertTrue(out.finished());
        assertEquals(0, out.ignored());
    }

    @Test
    void aSessionThatLeavesBytesUnconsumedIsCaught() {
        RecordingDecisions out = new RecordingDecisions();
        AssertionError e = assertThrows(AssertionError.class, () -> out.fromClient((data, decisions) -> data.get(),
                "abc".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(e.getMessage().contains("2 bytes"), e.getMessage());
    }
}
