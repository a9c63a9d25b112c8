package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;

/**
 * Checks one field line ({@code name ":" OWS value OWS CRLF}) of a request head or trailer
 * section and finds its parts. Parsing is in place, on the caller's buffer; the results are the
 * indices of the last line parsed, so one instance serves a whole connection without allocating.
 * It checks syntax only; what a field means is for the caller.
 */
final class FieldLineParser {

    private int nameEnd;
    private int colon;
    private int valueStart;
    private int valueEnd;
    private int spaceStart;

    /**
     * Checks the line end and the bytes no line may hold (NUL, CR without LF) of the complete
     * line {@code src[from, to)}. Returns where its content ends, or -1 if refused.
     */
    static int contentEnd(ByteBuffer src, int from, int to, RuleEnforcer rules, Decisions out) {
        boolean crlf = to - from >= 2 && src.get(to - 2) == '\r';
        int end = crlf ? to - 2 : to - 1;
        for (int i = from; i < end; i++) {
            byte b = src.get(i);
            if (b == 0 && rules.refuses(HttpRule.LINE_NUL, "NUL byte in a line", src, from, to, out)) {
                return -1;
            }
            if (b == '\r' && rules.refuses(HttpRule.LINE_BARE_CR, "CR not followed by LF", src, from, to, out)) {
                return -1;
            }
        }
        if (!crlf && rules.refuses(HttpRule.LINE_BARE_LF, "line ends in LF without CR", src, from, to, out)) {
            return -1;
        }
        return end;
    }

    /** Parses the field line {@code src[from, end)} (its content, without the line end). Returns whether it is refused. */
    boolean refuses(ByteBuffer src, int from, int end, RuleEnforcer rules, Decisions out) {
        if (HttpGrammar.isWhitespace(src.get(from))) {
            return rules.refuses(HttpRule.HEADER_OBS_FOLD, "line folded onto the previous field (obs-fold)", src, from, end, out);
        }
        int i = from;
        while (i < end && HttpGrammar.isTchar(src.get(i))) {
            i++;
        }
        nameEnd = i;
        int j = i;
        while (j < end && HttpGrammar.isWhitespace(src.get(j))) {
            j++;
        }
        if (nameEnd == from || j == end || src.get(j) != ':') {
            return rules.refuses(HttpRule.HEADER_NAME_INVALID, "field name is not a token followed by a colon", src, from, end, out);
        }
        colon = j;
        spaceStart = i;
        if (j > i && rules.refuses(HttpRule.HEADER_SPACE_BEFORE_COLON, "whitespace between field name and colon", src, from, end, out)) {
            return true;
        }
        if (HttpGrammar.indexOf(src, from, nameEnd, '_') >= 0
                && rules.refuses(HttpRule.HEADER_UNDERSCORE, "field name with an underscore", src, from, end, out)) {
            return true;
        }
        return valueRefused(src, from, end, rules, out);
    }

    private boolean valueRefused(ByteBuffer src, int from, int end, RuleEnforcer rules, Decisions out) {
        int k = colon + 1;
        while (k < end && HttpGrammar.isWhitespace(src.get(k))) {
            k++;
        }
        valueStart = k;
        int e = end;
        while (e > k && HttpGrammar.isWhitespace(src.get(e - 1))) {
            e--;
        }
        valueEnd = e;
        for (int i = k; i < e; i++) {
            if (!HttpGrammar.isFieldValueChar(src.get(i))) {
                return rules.refuses(HttpRule.HEADER_VALUE_INVALID, "control byte in a field value", src, from, end, out);
            }
        }
        return false;
    }

    int nameEnd() {
        return nameEnd;
    }

    /** Where the whitespace before the colon starts; equal to {@link #colon()} when there is none. */
    int spaceStart() {
        return spaceStart;
    }

    int colon() {
        return colon;
    }

    /** The value, trimmed. */
    int valueStart() {
        return valueStart;
    }

    int valueEnd() {
        return valueEnd;
    }
}
