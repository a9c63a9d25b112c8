package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Byte ranges of a unit that are not forwarded: the rewriting a relaxed rule promises
 * (whitespace before a colon removed, Content-Length dropped by {@code sanitize}). Offsets are
 * relative to the unit's first byte. Empty, and without an array, unless a rewrite happens.
 */
final class UnitCuts {

    private int[] pairs = new int[0];
    private int count;

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    void add(int start, int end) {
        if (count + 2 > pairs.length) {
            pairs = Arrays.copyOf(pairs, Math.max(8, pairs.length * 2));
        }
        pairs[count] = start;
        pairs[count + 1] = end;
        count += 2;
    }

    void addAll(UnitCuts other) {
        for (int i = 0; i < other.count; i += 2) {
            add(other.pairs[i], other.pairs[i + 1]);
        }
    }

    /** Sends the unit {@code src[from, to)} without the cut ranges, which may overlap, piece by piece. */
    void sendWithout(ByteBuffer src, int from, int to, Consumer<ByteBuffer> send) {
        sort();
        int next = from;
        for (int i = 0; i < count; i += 2) {
            int cutStart = from + pairs[i];
            if (cutStart > next) {
                send.accept(src.slice(next, cutStart - next));
            }
            next = Math.max(next, from + pairs[i + 1]);
        }
        if (to > next) {
            send.accept(src.slice(next, to - next));
        }
    }

    /** Insertion sort by start: there are a few ranges at most. */
    private void sort() {
        for (int i = 2; i < count; i += 2) {
            int s = pairs[i];
            int e = pairs[i + 1];
            int j = i - 2;
            while (j >= 0 && pairs[j] > s) {
                pairs[j + 2] = pairs[j];
                pairs[j + 3] = pairs[j + 1];
                j -= 2;
            }
            pairs[j + 2] = s;
            pairs[j + 3] = e;
        }
    }
}
