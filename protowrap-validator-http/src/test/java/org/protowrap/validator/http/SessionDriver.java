package org.protowrap.validator.http;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.protowrap.api.MapOptions;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;

/** Builds validators from plain options and feeds sessions without I/O, whole or split. */
final class SessionDriver {

    static final SessionInfo INFO = new SessionInfo("test", new InetSocketAddress("127.0.0.1", 40000), 1);

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

    /** A buffer whose position is not 0, with garbage around the bytes, so that index mistakes show. */
    static ByteBuffer padded(byte[] bytes, int from, int to) {
        int pad = 7;
        byte[] backing = new byte[to - from + 2 * pad];
        Arrays.fill(backing, (byte) 'X');
        System.arraycopy(bytes, from, backing, pad, to - from);
        return ByteBuffer.wrap(backing, pad, to - from);
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

    static void feedClient(ValidatorSession session, byte[] bytes, List<Integer> cuts, RecordingDecisions out) {
        feed(bytes, cuts, out, b -> session.onClientData(b, out), out::sendToServer);
    }

    static void feedServer(ValidatorSession session, byte[] bytes, List<Integer> cuts, RecordingDecisions out) {
        feed(bytes, cuts, out, b -> session.onServerData(b, out), out::sendToClient);
    }

    /** Feeds the bytes in pieces; after a switch to raw relaying, relays them as the engine would. */
    private static void feed(byte[] bytes, List<Integer> cuts, RecordingDecisions out, Consumer<ByteBuffer> call,
            Consumer<ByteBuffer> raw) {
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(bytes.length);
        for (int end : ends) {
            if (out.isRaw() && end > from) {
                raw.accept(ByteBuffer.wrap(bytes, from, end - from));
            }
            if (out.closed || out.isRaw() || end == from) {
                from = end;
                continue;
            }
            ByteBuffer buffer = padded(bytes, from, end);
            call.accept(buffer);
            if (buffer.hasRemaining() && !out.closed && !out.isRaw()) {
                throw new AssertionError("the session left bytes unconsumed");
            }
            from = end;
        }
    }
}
