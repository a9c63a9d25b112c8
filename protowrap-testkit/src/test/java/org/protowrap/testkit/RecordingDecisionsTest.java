package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
        out.abortServer();
        out.sendToServer(bytes("dropped"));
        assertEquals(List.of("abort"), out.take().controls());
        assertEquals(1, out.ignored());
    }
}
