package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Frames the server's byte stream into SMTP replies (RFC 5321 section 4.2): lines of a
 * three-digit code, {@code -} on every line but the last, a space (or nothing) on the last.
 * Memory is bounded: a reply longer than {@link #MAX_LINES} lines of {@link #MAX_LINE} octets
 * is malformed. It does not judge the text of a reply, only its form.
 *
 * <p>Replies are parsed where they lie in the buffer given: each line is copied out once, and
 * each reply's bytes once (the form the client is sent); a reply that a read ends in the middle
 * of waits in that copy for what the next read brings.
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

    /** The bytes of the reply being read that earlier reads brought; its unfinished line is the tail. */
    private byte[] carried = new byte[0];
    private int carriedLength;
    private int carriedLineLength;
    private final List<String> texts = new ArrayList<>();
    private int code = -1;
    private Optional<String> failure = Optional.empty();

    /**
     * Consumes bytes up to the end of the next complete reply and returns it; or consumes all of
     * {@code data} and returns empty. After a malformed line it consumes nothing more and
     * {@link #failure()} says why.
     */
    Optional<Reply> next(ByteBuffer data) {
        int uncarried = data.position();
        while (data.hasRemaining() && failure.isEmpty()) {
            int lineStart = data.position();
            // The line may hold MAX_LINE octets before its LF: looking further is never needed.
            int scanEnd = Math.min(data.limit(), lineStart + MAX_LINE + 1 - carriedLineLength);
            int lf = indexOfLineFeed(data, lineStart, scanEnd);
            if (lf < 0) {
                data.position(scanEnd);
                carriedLineLength += scanEnd - lineStart;
                if (carriedLineLength > MAX_LINE) {
                    failure = Optional.of("reply line longer than " + MAX_LINE + " octets");
                }
                break;
            }
            data.position(lf + 1);
            boolean last = endOfLine(line(data, lineStart, lf));
            carriedLineLength = 0;
            if (last) {
                return Optional.of(complete(data, uncarried));
            }
        }
        carry(data, uncarried, data.position());
        return Optional.empty();
    }

    Optional<String> failure() {
        return failure;
    }

    /** The bytes of the reply being read, not yet returned as part of a reply. */
    byte[] unread() {
        return Arrays.copyOf(carried, carriedLength);
    }

    private static int indexOfLineFeed(ByteBuffer data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The line ending at {@code lf}, without the LF: its carried start, if any, and the rest. */
    private byte[] line(ByteBuffer data, int start, int lf) {
        byte[] bytes = new byte[carriedLineLength + lf - start];
        System.arraycopy(carried, carriedLength - carriedLineLength, bytes, 0, carriedLineLength);
        data.get(start, bytes, carriedLineLength, lf - start);
        return bytes;
    }

    /** Takes in one line; true if it ends the reply. A malformed line sets the failure instead. */
    private boolean endOfLine(byte[] bytes) {
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        int lineCode = codeOf(text);
        boolean more = text.length() > 3 && text.charAt(3) == '-';
        boolean wellFormed = lineCode >= 0 && (text.length() == 3 || text.charAt(3) == ' ' || more);
        if (!wellFormed || (code >= 0 && lineCode != code) || texts.size() >= MAX_LINES) {
            failure = Optional.of("not an SMTP reply line: " + text.substring(0, Math.min(text.length(), 40)));
            return false;
        }
        code = lineCode;
        texts.add(text.length() > 4 ? text.substring(4) : "");
        return !more;
    }

    /** The reply that ends at the data's position: the carried bytes and those since {@code from}. */
    private Reply complete(ByteBuffer data, int from) {
        int fresh = data.position() - from;
        byte[] raw = Arrays.copyOf(carried, carriedLength + fresh);
        data.get(from, raw, carriedLength, fresh);
        Reply done = new Reply(code, List.copyOf(texts), raw);
        carriedLength = 0;
        texts.clear();
        code = -1;
        return done;
    }

    /** Keeps the bytes from {@code from} to {@code to} for the reply that the next read goes on with. */
    private void carry(ByteBuffer data, int from, int to) {
        int count = to - from;
        if (carriedLength + count > carried.length) {
            carried = Arrays.copyOf(carried, Math.max(carriedLength + count, 2 * carried.length));
        }
        data.get(from, carried, carriedLength, count);
        carriedLength += count;
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
