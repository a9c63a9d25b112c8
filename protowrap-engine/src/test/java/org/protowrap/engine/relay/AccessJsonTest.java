package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AccessJsonTest {

    @Test
    void factsThatAreWholeNumbersAreJsonNumbersAndTheRestStrings() {
        TrafficFacts facts = new TrafficFacts();
        facts.put("requests", "1");
        facts.put("status", "200");
        facts.put("offset", "-5");
        facts.put("zero", "0");
        facts.put("verb", "GET");
        facts.put("zip", "007");
        facts.put("huge", "12345678901234567890");
        facts.put("ratio", "1.5");
        facts.put("empty", "");
        String line = AccessJson.exchange("w", 7, 1, "127.0.0.1:5000", "-", 3, 4, 2_000_000, facts);
        assertTrue(line.endsWith(",\"durationMs\":2,\"requests\":1,\"status\":200,\"offset\":-5,\"zero\":0,"
                + "\"verb\":\"GET\",\"zip\":\"007\",\"huge\":\"12345678901234567890\",\"ratio\":\"1.5\",\"empty\":\"\"}"),
                line);
    }
}
