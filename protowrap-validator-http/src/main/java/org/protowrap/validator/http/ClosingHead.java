package org.protowrap.validator.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A response head rewritten to tell the client that the connection ends after it, without also
 * telling it the opposite: {@code Connection: close} stands where the head's first
 * {@code Connection} field stood (after the status line when it has none), every
 * {@code Connection} field loses its {@code keep-alive} and {@code close} options (one left with
 * none goes), and {@code Keep-Alive} fields go. Everything else is copied as the server sent it.
 */
final class ClosingHead {

    private static final byte[] CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION = "Connection: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = ", ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private ClosingHead() {}

    /** {@code head[0, length)}: a complete, valid response head, its empty last line included. */
    static byte[] of(ByteBuffer head, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + CLOSE.length);
        int fields = HttpGrammar.indexOfLf(head, 0, length) + 1;
        copy(head, 0, fields, out);
        boolean closeWritten = !hasField(head, fields, length, "connection");
        if (closeWritten) {
            out.writeBytes(CLOSE);
        }
        for (int line = fields; line < length; ) {
            int next = nextLine(head, line, length);
            int colon = HttpGrammar.indexOf(head, line, next, ':');
            if (colon > 0 && HttpGrammar.equalsIgnoreCase(head, line, colon, "connection")) {
                if (!closeWritten) {
                    out.writeBytes(CLOSE);
                    closeWritten = true;
                }
                otherOptions(head, colon + 1, contentEnd(head, line, next), out);
            } else if (!(colon > 0 && HttpGrammar.equalsIgnoreCase(head, line, colon, "keep-alive"))) {
                copy(head, line, next, out);
            }
            line = next;
        }
        return out.toByteArray();
    }

    /** The options of a Connection field other than keep-alive and close, as a field of their own, if any. */
    private static void otherOptions(ByteBuffer head, int from, int to, ByteArrayOutputStream out) {
        boolean first = true;
        for (int i = from; i <= to; ) {
            int comma = HttpGrammar.indexOf(head, i, to, ',');
            int e = comma < 0 ? to : comma;
            int s = HttpGrammar.trimStart(head, i, e);
            int t = HttpGrammar.trimEnd(head, i, e);
            if (t > s && !HttpGrammar.equalsIgnoreCase(head, s, t, "keep-alive")
                    && !HttpGrammar.equalsIgnoreCase(head, s, t, "close")) {
                out.writeBytes(first ? CONNECTION : SEPARATOR);
                copy(head, s, t, out);
                first = false;
            }
            i = e + 1;
        }
        if (!first) {
            out.writeBytes(CRLF);
        }
    }

    private static boolean hasField(ByteBuffer head, int from, int length, String lowerCaseName) {
        for (int line = from; line < length; line = nextLine(head, line, length)) {
            int colon = HttpGrammar.indexOf(head, line, nextLine(head, line, length), ':');
            if (colon > 0 && HttpGrammar.equalsIgnoreCase(head, line, colon, lowerCaseName)) {
                return true;
            }
        }
        return false;
    }

    private static int nextLine(ByteBuffer head, int line, int length) {
        int lf = HttpGrammar.indexOfLf(head, line, length);
        return lf < 0 ? length : lf + 1;
    }

    /** Where the line's content ends: before its CRLF or LF. */
    private static int contentEnd(ByteBuffer head, int line, int next) {
        int end = next;
        if (end > line && head.get(end - 1) == '\n') {
            end--;
        }
        if (end > line && head.get(end - 1) == '\r') {
            end--;
        }
        return end;
    }

    private static void copy(ByteBuffer head, int from, int to, ByteArrayOutputStream out) {
        if (head.hasArray()) {
            out.write(head.array(), head.arrayOffset() + from, to - from);
            return;
        }
        for (int i = from; i < to; i++) {
            out.write(head.get(i));
        }
    }
}
