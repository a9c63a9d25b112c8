package org.protowrap.engine.line;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;

class LineSessionTest {

    private static final int MAX = 10; // line end included

    private static Validator validator(RuleMode mode, String overlong) {
        Options options = MapOptions.of(Map.of("overlong", overlong));
        ValidatorConfig config = new ValidatorConfig("test", MAX, true,
                Map.of("line.too-long", mode), options);
        Validator v = new LineValidatorProvider().create(config);
        assertEquals(List.of(), options.problems());
        return v;
    }

    /** Feeds the input in pieces cut at the given offsets, then ends the client side. */
    private static RecordingDecisions run(Validator v, String input, int... cuts) {
        ValidatorSession session = v.newSession(new SessionInfo("test", null, 1));
        RecordingDecisions out = new RecordingDecisions();
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int cut : cuts) {
            session.onClientData(ByteBuffer.wrap(bytes, from, cut - from).slice(), out);
            from = cut;
            if (out.finished()) {
                return out;
            }
        }
        session.onClientData(ByteBuffer.wrap(bytes, from, bytes.length - from).slice(), out);
        if (!out.finished()) {
            session.onClientEnd(out);
        }
        return out;
    }

    static Stream<Arguments> cases() {
        String fits = "12345678\r\n"; // exactly MAX bytes
        String tooLong = "123456789\r\n"; // MAX + 1
        return Stream.of(
                Arguments.of("lines that fit pass unchanged", RuleMode.ENFORCE, "truncate",
                        "a\r\nbb\n" + fits + "c\r\n", "a\r\nbb\n" + fits + "c\r\n", 0, false),
                Arguments.of("a last line without line end is forwarded at the end", RuleMode.ENFORCE, "reject",
                        "a\r\nlast", "a\r\nlast", 0, false),
                Arguments.of("truncate keeps the first bytes and the CRLF", RuleMode.ENFORCE, "truncate",
                        "a\r\n" + tooLong + "b\r\n", "a\r\n12345678\r\nb\r\n", 1, false),
                Arguments.of("truncate keeps a bare LF line end as it was", RuleMode.ENFORCE, "truncate",
                        "abcdefghijklmnop\nb\n", "abcdefgh\nb\n", 1, false),
                Arguments.of("truncate of a very long line", RuleMode.ENFORCE, "truncate",
                        "x".repeat(5000) + "\r\nok\r\n", "xxxxxxxx\r\nok\r\n", 1, false),
                Arguments.of("truncate at the end of input without line end", RuleMode.ENFORCE, "truncate",
                        "a\r\n" + "y".repeat(40), "a\r\nyyyyyyyy", 1, false),
                Arguments.of("reject drops the whole line and goes on", RuleMode.ENFORCE, "reject",
                        "a\r\n" + tooLong + "b\r\n" + "z".repeat(30) + "\n" + "c\r\n", "a\r\nb\r\nc\r\n", 2, false),
                Arguments.of("close ends the connection after the lines before", RuleMode.ENFORCE, "close",
                        "a\r\n" + tooLong + "b\r\n", "a\r\n", 1, true),
                Arguments.of("log mode reports and lets the line through", RuleMode.LOG, "reject",
                        "a\r\n" + "w".repeat(25) + "\r\nb\r\n", "a\r\n" + "w".repeat(25) + "\r\nb\r\n", 1, false),
                Arguments.of("off does not check", RuleMode.OFF, "close",
                        "a\r\n" + "w".repeat(25) + "\r\nb\r\n", "a\r\n" + "w".repeat(25) + "\r\nb\r\n", 0, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdictIsTheSameHoweverTheInputIsSplit(String name, RuleMode mode, String overlong, String input,
            String expected, int violations, boolean closes) {
        Validator v = validator(mode, overlong);
        assertCase(run(v, input), expected, violations, closes, "whole input");
        Random random = new Random(name.hashCode());
        for (int round = 0; round < 200; round++) {
            int[] cuts = random.ints(random.nextInt(1, Math.max(2, input.length())), 0, input.length() + 1)
                    .sorted().toArray();
            assertCase(run(v, input, cuts), expected, violations, closes, "cut at " + java.util.Arrays.toString(cuts));
        }
        int[] everyByte = java.util.stream.IntStream.range(1, input.length()).toArray();
        assertCase(run(v, input, everyByte), expected, violations, closes, "one byte at a time");
    }

    private static void assertCase(RecordingDecisions out, String expected, int violations, boolean closes, String how) {
        assertEquals(expected, out.server(), how);
        assertEquals(violations, out.reports().size(), how + ": " + out.reports());
        assertEquals(closes, out.finished(), how);
        assertEquals("", out.client(), "the line validator never replies");
    }

    @Test
    void aViolationNamesTheRuleTheModeAndAnExcerpt() {
        RecordingDecisions out = run(validator(RuleMode.ENFORCE, "reject"), "ok\r\nAUTH-LIKE-LINE-TOO-LONG\r\n");
        var v = out.reports().get(0);
        assertEquals("line.too-long", v.rule());
        assertEquals(RuleMode.ENFORCE, v.mode());
        assertEquals("line longer than 10 bytes", v.detail());
        assertEquals("AUTH-LIKE-LINE-TOO-LONG\\r\\n", v.excerpt());
    }

    @Test
    void completeLinesAreForwardedAsOneSliceWithoutCopying() {
        ValidatorSession session = validator(RuleMode.ENFORCE, "truncate").newSession(new SessionInfo("t", null, 1));
        List<ByteBuffer> sent = new ArrayList<>();
        RecordingDecisions recorder = new RecordingDecisions() {
            @Override
            public void sendToServer(ByteBuffer bytes) {
                sent.add(bytes.duplicate());
                super.sendToServer(bytes);
            }
        };
        ByteBuffer input = ByteBuffer.wrap("a\r\nb\r\nc\r\n".getBytes(StandardCharsets.US_ASCII));
        session.onClientData(input, recorder);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).hasArray() && sent.get(0).array() == input.array(), "expected a slice of the input");
        assertFalse(input.hasRemaining(), "the session consumes all input");
    }

    @Test
    void optionsAreValidated() {
        Options options = MapOptions.of(Map.of("overlong", "chop", "serverFirst", "yes please"));
        new LineValidatorProvider().create(ValidatorConfig.of("t", 512, true, options));
        assertEquals(List.of(
                "options.overlong: \"chop\" is not one of: truncate, reject, close",
                "options.serverFirst: must be true or false, not \"yes please\""),
                options.problems().stream().map(Object::toString).toList());
    }
}
