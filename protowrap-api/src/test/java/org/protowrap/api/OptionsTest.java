package org.protowrap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static List<String> problems(Options o) {
        return o.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void readsEveryTypeWithItsDefaults() {
        Options o = MapOptions.of(Map.of("size", "64k", "big", "2MiB", "plain", 512, "wait", "250ms", "mins", "5m",
                "secs", 30, "flag", true, "words", List.of("a", "b"), "one", "c", "mode", "log"));
        assertEquals(65536, o.byteSize("size", 0, 0, Long.MAX_VALUE));
        assertEquals(2 << 20, o.byteSize("big", 0, 0, Long.MAX_VALUE));
        assertEquals(512, o.byteSize("plain", 0, 0, Long.MAX_VALUE));
        assertEquals(Duration.ofMillis(250), o.duration("wait", Duration.ZERO));
        assertEquals(Duration.ofMinutes(5), o.duration("mins", Duration.ZERO));
        assertEquals(Duration.ofSeconds(30), o.duration("secs", Duration.ZERO));
        assertEquals(true, o.bool("flag", false));
        assertEquals(List.of("a", "b"), o.strings("words"));
        assertEquals(List.of("c"), o.strings("one"));
        assertEquals(RuleMode.LOG, o.choice("mode", RuleMode.class, RuleMode.ENFORCE));
        assertEquals(7, o.integer("absent", 7, 0, 10));
        assertEquals(List.of(), o.strings("absentList"));
        assertEquals(List.of(), problems(o));
    }

    @Test
    void wrongValuesAreProblemsAndTheDefaultIsReturned() {
        Options o = MapOptions.of(Map.of("n", "ten", "range", 11, "size", "lots", "wait", "later", "mode", "strict",
                "list", List.of("a", 1)));
        assertEquals(1, o.integer("n", 1, 0, 10));
        assertEquals(2, o.integer("range", 2, 0, 10));
        assertEquals(3, o.byteSize("size", 3, 0, 10));
        assertEquals(Duration.ZERO, o.duration("wait", Duration.ZERO));
        assertEquals(RuleMode.OFF, o.choice("mode", RuleMode.class, RuleMode.OFF));
        assertEquals(List.of("a"), o.strings("list"));
        assertEquals(List.of(
                "options.n: must be a whole number, not \"ten\"",
                "options.range: 11 is out of range 0..10",
                "options.size: must be a size such as 512, 64k or 1MiB, not \"lots\"",
                "options.wait: must be a duration such as 250ms, 30s, 5m or 1h, not \"later\"",
                "options.mode: \"strict\" is not one of: enforce, log, off",
                "options.list[1]: must be a string, not 1"), problems(o));
    }

    @Test
    void keysNeverReadAreUnknownAndTheReadOnesAreListed() {
        Options o = MapOptions.of(Map.of("known", 1, "nested", Map.of("inner", 2, "typo", 3), "extra", 4));
        o.integer("known", 0, 0, 9);
        o.section("nested").integer("inner", 0, 0, 9);
        assertEquals(List.of(
                "options.extra: unknown key; valid keys here: known, nested",
                "options.nested.typo: unknown key; valid keys here: inner"),
                problems(o).stream().sorted().toList());
    }

    @Test
    void aPluginCanRecordItsOwnProblem() {
        Options o = MapOptions.of(Map.of("pattern", "[unclosed"));
        o.string("pattern", "");
        o.problem("pattern", "is not a valid regular expression");
        assertEquals(List.of("options.pattern: is not a valid regular expression"), problems(o));
    }

    @Test
    void excerptsArePrintableAndCut() {
        assertEquals("MAIL FROM:<a@b>\\r\\n\\x00\\\\", Violation.excerptOf(
                ByteBuffer.wrap("MAIL FROM:<a@b>\r\n\0\\".getBytes())));
        String cut = Violation.excerptOf(ByteBuffer.wrap("x".repeat(100).getBytes()));
        assertEquals("x".repeat(Violation.EXCERPT_BYTES) + "...", cut);
    }

    @Test
    void aViolationIsEnforcedOrLoggedNeverOff() {
        assertThrows(IllegalArgumentException.class, () -> new Violation("a.b", RuleMode.OFF, "d", ""));
    }

    @Test
    void ruleNamesAreLowerCaseWords() {
        assertThrows(IllegalArgumentException.class, () -> new Rule("Smtp Bare LF", RuleMode.ENFORCE, "d"));
        assertEquals("smtp.data.bare-lf", new Rule("smtp.data.bare-lf", RuleMode.ENFORCE, "d").name());
    }
}
