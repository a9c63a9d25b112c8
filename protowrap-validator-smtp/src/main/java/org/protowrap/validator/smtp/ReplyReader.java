package org.protowrap.validator.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Frames the server's byte stream into SMTP replies (RFC 5321 section 4.2): lines of a
 * three-digit code, {@code -} on every line but the last, a space (or nothing) on the last.
 * Memory is bounded: a reply longer than {@link #MAX_LINES} lines of {@link #MAX_LINE} octets
 * is malformed. It does not judge the text of a reply, only its form.
 */
final class ReplyReader {

    static final int MAX_LINE = 2048;
    static final int MAX_LINES = 128;

    /**
     * One complete reply.
     *
     * @param code the three-digit code
     * @param texts the text of every line, without code, separator and line end
     * @param raw the reply's bytes as the server sent them
     */
    record Reply(int code, List<String> texts, byte[] raw) {
        boolean positiveCompletion() {
            return code / 100 == 2;
        }

        boolean error() {
            return code / 100 == 4 || code / 100 == 5;
        }
    }

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream reply = new ByteArrayOutputStream();
    private final List<String> texts = new ArrayList<>();
    private int code = -1;
    private Optional<String> failure = Optional.empty();

    /**
     * Consumes bytes up to the end of the next complete reply and returns it; or consumes all of
     * {@code data} and returns empty. After a malformed line it consumes nothing more and
     * {@link #failure()} says why.
     */
    Optional<Reply> next(ByteBuffer data) {
        while (data.hasRemaining() && failure.isEmpty()) {
            byte b = data.get();
            reply.write(b);
            if (b != '\n') {
                line.write(b);
                if (line.size() > MAX_LINE) {
                    failure = Optional.of("reply line longer than " + MAX_LINE + " octets");
                }
                continue;
            }
            Optional<Reply> complete = endOfLine();
            if (complete.isPresent()) {
                return complete;
            }
        }
        return Optional.empty();
    }

    Optional<String> failure() {
        return failure;
    }

    /** The bytes of the reply being read, not yet returned as part of a reply. */
    byte[] unread() {
        return reply.toByteArray();
    }

    private Optional<Reply> endOfLine() {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        int lineCode = codeOf(text);
        boolean more = text.length() > 3 && text.charAt(3) == '-';
        boolean wellFormed = lineCode >= 0 && (text.length() == 3 || text.charAt(3) == ' ' || more);
        if (!wellFormed || (code >= 0 && lineCode != code) || texts.size() >= MAX_LINES) {
            failure = Optional.of("not an SMTP reply line: " + text.substring(0, Math.min(text.length(), 40)));
            return Optional.empty();
        }
        code = lineCode;
        texts.add(text.length() > 4 ? text.substring(4) : "");
        if (more) {
            return Optional.empty();
        }
        Reply done = new Reply(code, List.copyOf(texts), reply.toByteArray());
        reply.reset();
        texts.clear();
        code = -1;
        return Optional.of(done);
    }

    private static int codeOf(String text) {
        if (text.length() < 3) {
            return -1;
        }
        char a = text.charAt(0);
        char b = text.charAt(1);
        char c = text.charAt(2);
        if (a < '2' || a > '5' || b < '0' || b > '5' || c < '0' || c > '9') {
            return -1;
        }
        return (a - '0') * 100 + (b - '0') * 10 + (c - '0');
    }
}
