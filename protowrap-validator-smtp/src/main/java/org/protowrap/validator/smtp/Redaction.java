package org.protowrap.validator.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.protowrap.api.Violation;

/**
 * Excerpts of client input for reports, with credentials removed. An AUTH command keeps its
 * verb and mechanism; its initial response, and everything the client sent after it in the same
 * excerpt (which may be exchange lines), become {@code ***}. AUTH exchange lines themselves are
 * never excerpted by the session at all.
 */
final class Redaction {

    private static final String HIDDEN = "***";

    private Redaction() {}

    /** A printable excerpt of {@code bytes[0, length)} with any AUTH command and what follows it hidden. */
    static String excerpt(byte[] bytes, int length) {
        int auth = authLineStart(bytes, length);
        if (auth < 0) {
            return Violation.excerptOf(bytes, 0, Math.min(length, Violation.EXCERPT_BYTES));
        }
        String before = auth == 0 ? "" : Violation.excerptOf(bytes, 0, Math.min(auth, Violation.EXCERPT_BYTES));
        return before + authPrefix(bytes, auth, length);
    }

    /** Where a line starting with {@code AUTH} begins, or -1. */
    private static int authLineStart(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            boolean lineStart = i == 0 || bytes[i - 1] == '\n';
            if (lineStart && startsWithAuth(bytes, i, length)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWithAuth(byte[] bytes, int from, int length) {
        if (length - from < 4) {
            return false;
        }
        String word = new String(bytes, from, 4, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        return word.equals("AUTH") && (length - from == 4 || bytes[from + 4] == ' ' || bytes[from + 4] == '\r'
                || bytes[from + 4] == '\n');
    }

    /** {@code AUTH MECHANISM ***}: the verb and mechanism only. */
    private static String authPrefix(byte[] bytes, int from, int length) {
        int end = from + 4;
        if (end < length && bytes[end] == ' ') {
            end++;
            while (end < length && end - from < 30 && isMechanismChar(bytes[end])) {
                end++;
            }
        }
        String prefix = Violation.excerptOf(bytes, from, end - from);
        return end < length ? prefix + " " + HIDDEN : prefix;
    }

    private static boolean isMechanismChar(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
    }
}
