package org.protowrap.engine.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
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
    private static final int MAX_KEY_CHARS = 32;

    /** Made at the first fact: most connections of a protocol without facts never allocate one. */
    private Map<String, String> facts = Map.of();

    void put(String key, String value) {
        if (!isKey(key) || (!facts.containsKey(key) && facts.size() >= MAX_FACTS)) {
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

    /**
     * Appends {@code " key=value key2=\"a b\""}, each value escaped and quoted where it has to be;
     * nothing without facts. Written for every access line, so a plain value is copied as it is,
     * without a copy of its own.
     */
    void appendTo(StringBuilder out) {
        for (Map.Entry<String, String> fact : facts.entrySet()) {
            out.append(' ').append(fact.getKey()).append('=');
            String value = fact.getValue();
            int shown = Math.min(value.length(), MAX_VALUE_CHARS);
            if (shown > 0 && isPlain(value, shown)) {
                out.append(value, 0, shown).append(shown < value.length() ? "..." : "");
            } else {
                out.append(quoted(cut(value)));
            }
        }
    }

    /** A short lower-case word: {@code [a-z][a-z0-9_.-]} up to {@value #MAX_KEY_CHARS} characters. */
    private static boolean isKey(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_CHARS || key.charAt(0) < 'a' || key.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII without space, {@code "}, {@code =} and backslash: what a parser reads as one token. */
    private static boolean isPlain(String value, int length) {
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c > '~' || c == '"' || c == '=' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static String cut(String value) {
        return value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) + "..." : value;
    }

    private static String quoted(String value) {
        String escaped = EscapedText.of(ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), Integer.MAX_VALUE);
        return '"' + escaped.replace("\"", "\\\"") + '"';
    }
}
