package org.protowrap.validator.http;

import java.nio.ByteBuffer;

/**
 * Removes elements from a comma-separated field value ({@code Connection}, {@code Upgrade}) by
 * adding cuts, so that what is forwarded is still a well-formed list: {@code a, b, c} without
 * {@code b} goes on as {@code a, c}. A line left without any element is cut whole.
 */
final class ListCuts {

    /** Whether the trimmed element {@code [start, end)} is removed. */
    @FunctionalInterface
    interface Removed {
        boolean test(int start, int end);
    }

    private ListCuts() {}

    /**
     * Cuts the removed elements of the value {@code src[valueStart, valueEnd)} of the field line
     * {@code src[lineFrom, lineTo)}; {@code base} turns a position in {@code src} into a unit
     * offset. Returns how many elements are kept.
     */
    static int remove(ByteBuffer src, int lineFrom, int lineTo, int valueStart, int valueEnd, int base, UnitCuts cuts,
            Removed removed) {
        int kept = 0;
        int total = 0;
        for (int i = valueStart; i <= valueEnd; i = next(src, i, valueEnd) + 1) {
            int e = next(src, i, valueEnd);
            total++;
            kept += removed.test(HttpGrammar.trimStart(src, i, e), HttpGrammar.trimEnd(src, i, e)) ? 0 : 1;
        }
        if (kept == total) {
            return kept;
        }
        if (kept == 0) {
            cuts.add(base + lineFrom, base + lineTo);
            return 0;
        }
        boolean keptBefore = false;
        int previousEnd = valueStart;
        for (int i = valueStart; i <= valueEnd; i = next(src, i, valueEnd) + 1) {
            int e = next(src, i, valueEnd);
            int s = HttpGrammar.trimStart(src, i, e);
            int t = HttpGrammar.trimEnd(src, i, e);
            if (!removed.test(s, t)) {
                keptBefore = true;
            } else if (keptBefore) {
                cuts.add(base + previousEnd, base + t); // ", element" after a kept one
            } else {
                cuts.add(base + s, base + HttpGrammar.trimStart(src, e + 1, valueEnd)); // "element, " before a kept one
            }
            previousEnd = t;
        }
        return kept;
    }

    /** The comma that ends the element starting at {@code from}, or {@code to}. */
    private static int next(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.get(i) == ',') {
                return i;
            }
        }
        return to;
    }
}
