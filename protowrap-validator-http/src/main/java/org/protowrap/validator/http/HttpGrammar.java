package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.util.List;

/** The character classes of RFC 9110 and RFC 3986 as lookup tables, and byte comparisons on buffers. */
final class HttpGrammar {

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];
    private static final boolean[] HOST = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            mark(c);
        }
        for (char c = 'a'; c <= 'z'; c++) {
            mark(c);
            mark(Character.toUpperCase(c));
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // RFC 3986: unreserved, sub-delims, ":", "@", "/", "?", and "%" for escapes (checked apart).
        for (char c : "-._~!$&'()*+,;=:@/?%".toCharArray()) {
            TARGET[c] = true;
        }
        for (char c : "-._~!$&'()*+,;=:[]%".toCharArray()) {
            HOST[c] = true;
        }
    }

    private HttpGrammar() {}

    private static void mark(char c) {
        TCHAR[c] = true;
        TARGET[c] = true;
        HOST[c] = true;
    }

    static boolean isTchar(int b) {
        return TCHAR[b & 0xff];
    }

    static boolean isTargetChar(int b) {
        return TARGET[b & 0xff];
    }

    static boolean isHostChar(int b) {
        return HOST[b & 0xff];
    }

    /** Field-value bytes: VCHAR, obs-text, SP and HTAB. */
    static boolean isFieldValueChar(int b) {
        int c = b & 0xff;
        return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
    }

    static boolean isWhitespace(int b) {
        return b == ' ' || b == '\t';
    }

    static int hexValue(int b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Whether {@code src[from, to)} equals {@code lowerCase}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuffer src, int from, int to, String lowerCase) {
        if (to - from != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < lowerCase.length(); i++) {
            int b = src.get(from + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The names a lenient backend could take a name with underscores for (CGI maps {@code _} and {@code -} alike). */
    private static final List<String> ROUTING_FIELDS = List.of("contentlength", "transferencoding", "host", "connection");

    /**
     * Whether the field name {@code src[from, to)} has an underscore and, with underscores and
     * dashes dropped, is the name of a framing or routing field: {@code Content_Length},
     * {@code Transfer_Encoding}, {@code _Host}, {@code Connection_}.
     */
    static boolean readsAsRoutingField(ByteBuffer src, int from, int to) {
        if (to - from > 24 || indexOf(src, from, to, '_') < 0) {
            return false;
        }
        StringBuilder letters = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int b = src.get(i);
            if (b != '_' && b != '-') {
                letters.append((char) (b >= 'A' && b <= 'Z' ? b + 32 : b));
            }
        }
        return ROUTING_FIELDS.contains(letters.toString());
    }

    private static int indexOf(ByteBuffer src, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (src.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code src[from, to)} equals {@code expected} exactly. */
    static boolean equalsBytes(ByteBuffer src, int from, int to, byte[] expected) {
        if (to - from != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (src.get(from + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean equalsAscii(ByteBuffer src, int from, int to, String expected) {
        if (to - from != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (src.get(from + i) != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The index of the first LF in {@code src[from, to)}, or -1. */
    static int indexOfLf(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The first index in {@code [from, to)} that is not SP or HTAB, or {@code to}. */
    static int trimStart(ByteBuffer src, int from, int to) {
        int i = from;
        while (i < to && isWhitespace(src.get(i))) {
            i++;
        }
        return i;
    }

    /** The end of {@code [from, to)} without trailing SP or HTAB. */
    static int trimEnd(ByteBuffer src, int from, int to) {
        int i = to;
        while (i > from && isWhitespace(src.get(i - 1))) {
            i--;
        }
        return i;
    }
}
