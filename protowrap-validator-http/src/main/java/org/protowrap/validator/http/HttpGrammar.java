package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The grammar of HTTP/1.x on bytes in buffers: the character classes of RFC 9110 and RFC 3986 as
 * lookup tables, the small productions built on them (token, authority, transfer coding, chunk
 * extensions, decimal and hex numbers), and byte comparisons. Everything here is static and
 * allocates nothing; what a byte range means to a message is decided by the parsers.
 */
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

    /** The most decimal digits a length may have: 18 always fit in a long. */
    static final int MAX_DECIMAL_DIGITS = 18;

    private static final List<String> KNOWN_CODINGS = List.of("gzip", "deflate", "compress", "x-gzip", "x-compress");

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

    static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
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

    /**
     * Whether the credentials or challenge {@code src[from, to)} use a scheme that authenticates the
     * connection rather than the request (NTLM, Negotiate): the server then ties the connection to
     * one client.
     */
    static boolean isConnectionAuthScheme(ByteBuffer src, int from, int to) {
        int s = trimStart(src, from, to);
        return startsWithScheme(src, s, to, "ntlm") || startsWithScheme(src, s, to, "negotiate");
    }

    private static boolean startsWithScheme(ByteBuffer src, int from, int to, String lowerCase) {
        int end = from + lowerCase.length();
        return end <= to && equalsIgnoreCase(src, from, end, lowerCase) && (end == to || src.get(end) == ' ' || src.get(end) == ',');
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

    // ---- productions ----

    /** {@code 1*tchar}, or empty. */
    static boolean isToken(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isTchar(src.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A non-empty token without upper-case letters. */
    static boolean isLowerToken(ByteBuffer src, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = src.get(i);
            if (!isTchar(b) || (b >= 'A' && b <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** Where the token starting at {@code from} ends, or -1 if none starts there. */
    static int tokenEnd(ByteBuffer src, int from, int to) {
        int i = from;
        while (i < to && isTchar(src.get(i))) {
            i++;
        }
        return i > from ? i : -1;
    }

    /** Where the quoted-string starting at {@code from} (at its quote) ends, or -1 if it does not end well. */
    static int quotedEnd(ByteBuffer src, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int b = src.get(i) & 0xff;
            if (b == '"') {
                return i + 1;
            }
            if (b == '\\') {
                i++;
                if (i >= to || !isFieldValueChar(src.get(i))) {
                    return -1;
                }
            } else if (!isFieldValueChar(b)) {
                return -1;
            }
        }
        return -1;
    }

    /** No whitespace, control byte or DEL: what separates a target from the rest of the line. */
    static boolean isVisible(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            int b = src.get(i) & 0xff;
            if (b <= 0x20 || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Target bytes of RFC 3986, each {@code %} followed by two hex digits. */
    static boolean isTarget(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = src.get(i);
            if (b == '%') {
                if (i + 2 >= to || hexValue(src.get(i + 1)) < 0 || hexValue(src.get(i + 2)) < 0) {
                    return false;
                }
                i += 2;
            } else if (!isTargetChar(b)) {
                return false;
            }
        }
        return true;
    }

    /** After {@code scheme "://"}, or -1 if the target does not start with a scheme. */
    static int schemeEnd(ByteBuffer src, int from, int to) {
        int i = from;
        while (i < to && (Character.isLetterOrDigit(src.get(i)) || src.get(i) == '+' || src.get(i) == '-' || src.get(i) == '.')) {
            i++;
        }
        boolean scheme = i > from && Character.isLetter(src.get(from)) && i + 3 <= to
                && src.get(i) == ':' && src.get(i + 1) == '/' && src.get(i + 2) == '/';
        return scheme ? i + 3 : -1;
    }

    /** Where the authority after {@code scheme://} ends: at the path, the query, or the end. */
    static int authorityEnd(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.get(i) == '/' || src.get(i) == '?') {
                return i;
            }
        }
        return to;
    }

    /** {@code host ":" port}, with a non-empty host and 1*5 digits. */
    static boolean isAuthority(ByteBuffer src, int from, int to) {
        int colon = to - 1;
        while (colon > from && isDigit(src.get(colon))) {
            colon--;
        }
        return colon > from && src.get(colon) == ':' && to - colon - 1 >= 1 && to - colon - 1 <= 5
                && isHostOnly(src, from, colon);
    }

    /** A host without a port: a name, an IPv4 address, or an IP literal in brackets. */
    static boolean isHostOnly(ByteBuffer src, int from, int to) {
        if (from >= to) {
            return false;
        }
        boolean literal = src.get(from) == '[';
        for (int i = from; i < to; i++) {
            byte b = src.get(i);
            if (!isHostChar(b) || (b == ':' && !literal) || b == '%') {
                return false;
            }
        }
        return !literal || src.get(to - 1) == ']';
    }

    /** A path with {@code %2F} or {@code %5C} in it, in either case. */
    static boolean hasEncodedSlash(ByteBuffer src, int from, int to) {
        for (int i = from; i + 2 < to; i++) {
            if (src.get(i) == '%' && (equalsIgnoreCase(src, i + 1, i + 3, "2f") || equalsIgnoreCase(src, i + 1, i + 3, "5c"))) {
                return true;
            }
        }
        return false;
    }

    /** A segment made only of one or two dots, each written as {@code .} or {@code %2e}. */
    static boolean hasDotSegment(ByteBuffer src, int from, int to) {
        int segment = from;
        for (int i = from; i <= to; i++) {
            if (i == to || src.get(i) == '/') {
                if (isDots(src, segment, i)) {
                    return true;
                }
                segment = i + 1;
            }
        }
        return false;
    }

    private static boolean isDots(ByteBuffer src, int from, int to) {
        int dots = 0;
        int i = from;
        while (i < to) {
            if (src.get(i) == '.') {
                i++;
            } else if (i + 3 <= to && equalsIgnoreCase(src, i, i + 3, "%2e")) {
                i += 3;
            } else {
                return false;
            }
            dots++;
        }
        return dots == 1 || dots == 2;
    }

    /** Where the protocol name of {@code name[/version]} ends. */
    static int protocolNameEnd(ByteBuffer src, int from, int to) {
        int slash = indexOf(src, from, to, '/');
        return slash < 0 ? to : slash;
    }

    /** A transfer coding other than chunked that RFC 9112 registers. */
    static boolean isKnownTransferCoding(ByteBuffer src, int from, int to) {
        for (String coding : KNOWN_CODINGS) {
            if (equalsAscii(src, from, to, coding)) {
                return true;
            }
        }
        return false;
    }

    /** {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}: where it ends, or -1. */
    static int chunkExtensionsEnd(ByteBuffer src, int from, int to) {
        int i = from;
        while (i < to) {
            i = trimStart(src, i, to);
            if (i == to || src.get(i) != ';') {
                return -1;
            }
            i = tokenEnd(src, trimStart(src, i + 1, to), to);
            if (i < 0) {
                return -1;
            }
            int afterName = trimStart(src, i, to);
            if (afterName < to && src.get(afterName) == '=') {
                int v = trimStart(src, afterName + 1, to);
                i = v < to && src.get(v) == '"' ? quotedEnd(src, v, to) : tokenEnd(src, v, to);
                if (i < 0) {
                    return -1;
                }
            }
        }
        return i;
    }

    /** Whether {@code src[from, to)} is all decimal digits (or empty). */
    static boolean isDigits(ByteBuffer src, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(src.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The value of 1*18 DIGIT, or -1. */
    static long decimal(ByteBuffer src, int from, int to) {
        if (from >= to || to - from > MAX_DECIMAL_DIGITS) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            byte b = src.get(i);
            if (!isDigit(b)) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    // ---- finding and comparing ----

    /** The index of the first {@code c} in {@code src[from, to)}, or -1. */
    static int indexOf(ByteBuffer src, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (src.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the last {@code c} in {@code src[from, to)}, or -1. */
    static int lastIndexOf(ByteBuffer src, int from, int to, char c) {
        for (int i = to - 1; i >= from; i--) {
            if (src.get(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
