package org.protowrap.validator.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.testkit.RecordingDecisions;

/**
 * Builds validators from plain options and feeds sessions through the test kit's
 * {@link RecordingDecisions}, cut at a few points: HTTP's reads are large, and a body may span
 * hundreds of kilobytes.
 */
final class SessionDriver {

    private SessionDriver() {}

    static Validator validator(boolean testReply, Map<String, RuleMode> rules, Map<String, ?> options) {
        Options opts = MapOptions.of(options);
        Validator validator = new HttpValidatorProvider().create(new ValidatorConfig("test", 512, testReply, rules, opts));
        if (!opts.problems().isEmpty()) {
            throw new IllegalArgumentException("bad test options: " + opts.problems());
        }
        return validator;
    }

    static Validator validator() {
        return validator(true, Map.of(), Map.of());
    }

    /** Cut points for {@code length} bytes: none, random ones, or every byte. */
    static List<Integer> cuts(int length, RandomGenerator random, int mode) {
        List<Integer> cuts = new ArrayList<>();
        if (length <= 1 || mode == 0) {
            return cuts;
        }
        if (mode == 1) {
            for (int i = 1; i < length; i++) {
                cuts.add(i);
            }
            return cuts;
        }
        int count = 1 + random.nextInt(Math.min(12, length - 1));
        for (int i = 0; i < count; i++) {
            cuts.add(1 + random.nextInt(length - 1));
        }
        return cuts.stream().distinct().sorted().toList();
    }

    /** The bytes cut at {@code cuts}, in order; no read is empty. */
    static List<byte[]> reads(byte[] bytes, List<Integer> cuts) {
        List<byte[]> reads = new ArrayList<>();
        int from = 0;
        for (int end : cuts) {
            reads.add(Arrays.copyOfRange(bytes, from, end));
            from = end;
        }
        reads.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return reads.stream().filter(read -> read.length > 0).toList();
    }

    static void feedClient(ValidatorSession session, byte[] bytes, List<Integer> cuts, RecordingDecisions out) {
        reads(bytes, cuts).forEach(read -> out.fromClient(session, read));
    }

    static void feedServer(ValidatorSession session, byte[] bytes, List<Integer> cuts, RecordingDecisions out) {
        reads(bytes, cuts).forEach(read -> out.fromServer(session, read));
    }

    /** The rules reported as refused, in order. */
    static List<String> enforced(RecordingDecisions out) {
        return rules(out, RuleMode.ENFORCE);
    }

    /** The rules reported in log mode, in order. */
    static List<String> logged(RecordingDecisions out) {
        return rules(out, RuleMode.LOG);
    }

    private static List<String> rules(RecordingDecisions out, RuleMode mode) {
        return out.reports().stream().filter(v -> v.mode() == mode).map(Violation::rule).toList();
    }
}
