package org.protowrap.engine.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.protowrap.api.EscapedText;

/**
 * What a validator said the connection carried ({@link org.protowrap.api.Decisions#describe}),
 * for the line logged when it ends. Bounded whatever a plugin sends: at most {@value #MAX_FACTS}
 * keys, each value cut to {@value #MAX_VALUE_CHARS} characters; a key that is not a short
 * lower-case word is dropped, since it would make the line ambiguous to parse.
 */
final class TrafficFacts {

    static final int MAX_FACTS = 16;
    static final int MAX_VALUE_CHARS = 120;
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_.-]{0,31}");
    private static final Pattern PLAIN = Pattern.compile("[!#-~&&[^=\"\\\\]]+");

    /** Made at the first fact: most connections of a protocol without facts never allocate one. */
    private Map<String, String> facts = Map.of();

    void put(String key, String value) {
        if (!KEY.matcher(key).matches() || (!facts.containsKey(key) && facts.size() >= MAX_FACTS)) {
            return;
        }
        if (facts.isEmpty()) {
            facts = new LinkedHashMap<>();
        }
        facts.put(key, value);
    }

    /** Each fact in the order first described, its value cut to {@value #MAX_VALUE_CHARS} characters. */
    void forEach(BiConsumer<String, String> action) {
        facts.forEach((key, value) -> action.accept(key, cut(value)));
    }

    /** {@code " key=value key2=\"a b\""}, each value escaped and quoted where it has to be; empty without facts. */
    String format() {
        if (facts.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        facts.forEach((key, value) -> out.append(' ').append(key).append('=').append(quoted(value)));
        return out.toString();
    }

    private static String cut(String value) {
        return value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) + "..." : value;
    }

    private static String quoted(String value) {
        String cut = cut(value);
        if (!cut.isEmpty() && PLAIN.matcher(cut).matches()) {
            return cut;
        }
        String escaped = EscapedText.of(ByteBuffer.wrap(cut.getBytes(StandardCharsets.UTF_8)), Integer.MAX_VALUE);
        return '"' + escaped.replace("\"", "\\\"") + '"';
    }
}
