package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Frames the client's command lines. A line ends at LF; the CR before it, if any, is not part
 * of the line. At most {@link #capacity} octets of a line are kept, so memory stays bounded
 * whatever the client sends; a longer line is still consumed up to its LF, and reported as too
 * long. It only frames: what a line means is the parser's business.
 */
final class CommandLineReader {

    /**
     * One framed line.
     *
     * @param bytes the line's octets, without the line end (only the first {@code capacity} if overflowed)
     * @param length how many of {@code bytes} are the line
     * @param bareLf whether the line ended in LF without CR
     * @param bareCr whether the line held a CR not followed by LF
     * @param overflowed whether the line was longer than the reader keeps
     */
    record Line(byte[] bytes, int length, boolean bareLf, boolean bareCr, boolean overflowed) {
        /** The line's length as sent, with a two-octet CRLF. */
        int octetsWithCrlf() {
            return length + 2;
        }

        boolean startsWithIgnoreCase(String prefix) {
            if (length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (Character.toUpperCase((char) bytes[i]) != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final int INITIAL_CAPACITY = 128;

    private final int capacity;
    private byte[] buffer;
    private int length;
    private boolean pendingCr;
    private boolean bareCr;
    private boolean overflowed;

    CommandLineReader(int capacity) {
        this.capacity = capacity;
    }

    /** Consumes bytes up to the end of the next line and returns it; or consumes all and returns empty. */
    Optional<Line> next(ByteBuffer data) {
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b == '\n') {
                return Optional.of(complete());
            }
            if (pendingCr) {
                bareCr = true;
                append((byte) '\r');
            }
            pendingCr = b == '\r';
            if (!pendingCr) {
                append(b);
            }
        }
        return Optional.empty();
    }

    /**
     * The part of a line read so far, as a line that overflowed if the reader dropped octets of
     * it. Valid only until the next call: it shares the reader's buffer.
     */
    Line partial() {
        return new Line(buffer == null ? new byte[0] : buffer, length, false, bareCr, overflowed);
    }

    /** Whether part of a line has been read. */
    boolean inLine() {
        return length > 0 || pendingCr || overflowed;
    }

    private void append(byte b) {
        if (length == capacity) {
            overflowed = true;
            return;
        }
        if (buffer == null || buffer.length == length) {
            // Most lines are short: grow on demand rather than hold the AUTH line maximum per connection.
            buffer = Arrays.copyOf(buffer == null ? new byte[0] : buffer,
                    Math.min(capacity, Math.max(INITIAL_CAPACITY, length * 2)));
        }
        buffer[length++] = b;
    }

    private Line complete() {
        byte[] bytes = buffer == null ? new byte[0] : Arrays.copyOf(buffer, length);
        Line line = new Line(bytes, length, !pendingCr, bareCr, overflowed);
        length = 0;
        pendingCr = false;
        bareCr = false;
        overflowed = false;
        return line;
    }
}
