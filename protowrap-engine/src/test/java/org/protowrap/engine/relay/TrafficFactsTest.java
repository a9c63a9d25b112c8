package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficFactsTest {

    private static String formatted(TrafficFacts facts) {
        StringBuilder out = new StringBuilder("start");
        facts.appendTo(out);
        return out.toString();
    }

    @Test
    void withoutFactsNothingIsAppended() {
        assertEquals("start", formatted(new TrafficFacts()));
    }

    @Test
    void plainValuesStandAsTheyAreInTheOrderFirstDescribed() {
        TrafficFacts facts = new TrafficFacts();
        facts.put("method", "GET");
        facts.put("target", "/a/b.html?x=1");
        facts.put("status", "200");
        facts.put("method", "POST");
        assertEquals("start method=POST target=\"/a/b.html?x=1\" status=200", formatted(facts));
    }

    @Test
    void valuesWithSpacesQuotesBackslashesEqualsSignsOrControlsAreQuotedAndEscaped() {
        TrafficFacts facts = new TrafficFacts();
        facts.put("a", "x y");
        facts.put("b", "say \"hi\"");
        facts.put("c", "back\\slash");
        facts.put("d", "k=v");
        facts.put("e", "cr\r\nlf\ttab");
        facts.put("f", "");
        facts.put("g", "caf\u00e9");
        facts.put("h", "!#$%&'()*+,-./09:;<>?@AZ[]^_`az{|}~");
        assertEquals("start a=\"x y\" b=\"say \\\"hi\\\"\" c=\"back\\\\slash\" d=\"k=v\" e=\"cr\\r\\nlf\\x09tab\" f=\"\""
                + " g=\"caf\\xc3\\xa9\" h=!#$%&'()*+,-./09:;<>?@AZ[]^_`az{|}~", formatted(facts));
    }

    @Test
    void longValuesAreCutWithAMark() {
        TrafficFacts facts = new TrafficFacts();
        facts.put("plain", "p".repeat(TrafficFacts.MAX_VALUE_CHARS + 1));
        facts.put("spaced", " ".repeat(TrafficFacts.MAX_VALUE_CHARS + 1));
        facts.put("exact", "e".repeat(TrafficFacts.MAX_VALUE_CHARS));
        assertEquals("start plain=" + "p".repeat(TrafficFacts.MAX_VALUE_CHARS) + "... spaced=\""
                + " ".repeat(TrafficFacts.MAX_VALUE_CHARS) + "...\" exact=" + "e".repeat(TrafficFacts.MAX_VALUE_CHARS),
                formatted(facts));
        List<String> seen = new ArrayList<>();
        facts.forEach((key, value) -> seen.add(key + "=" + value.length()));
        assertEquals(List.of("plain=123", "spaced=123", "exact=120"), seen);
    }

    @Test
    void keysThatAreNotShortLowerCaseWordsAreDropped() {
        TrafficFacts facts = new TrafficFacts();
        for (String key : List.of("", "Upper", "1st", "has space", "a=b", "x".repeat(33), "caf\u00e9", "_x", "a\"b")) {
            facts.put(key, "v");
        }
        facts.put("ok_1.a-b", "v");
        facts.put("k" + "x".repeat(31), "w");
        assertEquals("start ok_1.a-b=v k" + "x".repeat(31) + "=w", formatted(facts));
    }

    @Test
    void atMostSixteenKeysAreKeptButKnownKeysStillChange() {
        TrafficFacts facts = new TrafficFacts();
        for (int i = 0; i < TrafficFacts.MAX_FACTS + 4; i++) {
            facts.put("k" + i, "v");
        }
        facts.put("k0", "changed");
        List<String> keys = new ArrayList<>();
        facts.forEach((key, value) -> keys.add(key + "=" + value));
        assertEquals(TrafficFacts.MAX_FACTS, keys.size());
        assertEquals("k0=changed", keys.getFirst());
        assertEquals("k15=v", keys.getLast());
    }
}
