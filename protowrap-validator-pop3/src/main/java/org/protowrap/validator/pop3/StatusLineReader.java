package org.protowrap.validator.pop3;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Frames the first line of a server response (RFC 1939 section 3, RFC 5034 section 4): a
 * status indicator {@code +OK} or {@code -ERR}, alone or followed by a space and text, or a
 * SASL continuation {@code +} (alone or followed by a space and base64). The line ends at LF.
 * At most {@link #HARD_LIMIT} octets are held; a longer line is malformed whatever the rules say.
 */
final class StatusLineReader {

    /** Longest status line held at all, CRLF included. */
    static final int HARD_LIMIT = 8192;

    /** What a status line says. */
    enum Kind { OK, ERR, CONTINUATION }

    /**
     * One status line.
     *
     * @param raw the line as the server sent it, line end included
     */
    record Status(Kind kind, byte[] raw) {
        String text() {
            int end = raw.length;
            while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                end--;
            }
            return new String(raw, 0, end, StandardCharsets.ISO_8859_1);
        }
    }

    private byte[] buffer = new byte[128];
    private int length;
    private Optional<String> failure = Optional.empty();

    /**
     * Consumes bytes up to the end of the next status line and returns it; or consumes all and
     * returns empty. After a malformed line, {@link #failure()} says why and nothing more is read.
     */
    Optional<Status> next(ByteBuffer data) {
        while (data.hasRemaining() && failure.isEmpty()) {
            byte b = data.get();
            if (length == HARD_LIMIT) {
                failure = Optional.of("status line longer than " + HARD_LIMIT + " octets");
                return Optional.empty();
            }
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(HARD_LIMIT, length * 2));
            }
            buffer[length++] = b;
            if (b == '\n') {
                byte[] raw = Arrays.copyOf(buffer, length);
                length = 0;
                return kind(raw).map(k -> new Status(k, raw));
            }
        }
        return Optional.empty();
    }

    /** Whether part of a status line has been read. */
    boolean inLine() {
        return length > 0;
    }

    Optional<String> failure() {
        return failure;
    }

    /** The bytes of the unfinished line. */
    byte[] unread() {
        return Arrays.copyOf(buffer, length);
    }

    private Optional<Kind> kind(byte[] raw) {
        String text = new Status(Kind.OK, raw).text();
        if (raw.length < 2 || raw[raw.length - 2] != '\r') {
            failure = Optional.of("status line does not end in CRLF");
        } else if (text.equals("+OK") || text.startsWith("+OK ")) {
            return Optional.of(Kind.OK);
        } else if (text.equals("-ERR") || text.startsWith("-ERR ")) {
            return Optional.of(Kind.ERR);
        } else if (text.equals("+") || text.startsWith("+ ")) {
            return Optional.of(Kind.CONTINUATION);
        } else {
            failure = Optional.of("not a POP3 status line: " + text.substring(0, Math.min(text.length(), 40)));
        }
        return Optional.empty();
    }
}
