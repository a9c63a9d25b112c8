package org.protowrap.validator.pop3;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Frames the client's lines. A line ends at LF; the CR before it, if any, is not part of the
 * line. At most {@code capacity} octets are kept, so memory stays bounded whatever the client
 * sends; a longer line is still consumed up to its LF and marked as overflowed. It only frames.
 */
final class CommandLineReader {

    /**
     * One framed line.
     *
     * @param bytes the line's octets without the line end (the first {@code capacity} if overflowed)
     * @param bareLf whether the line ended in LF without CR
     * @param bareCr whether the line held a CR not followed by LF
     * @param overflowed whether the line was longer than the reader keeps
     */
    record Line(byte[] bytes, boolean bareLf, boolean bareCr, boolean overflowed) {
        /** The line's length as sent with a two-octet CRLF. */
        int octetsWithCrlf() {
            return bytes.length + 2;
        }

        /** The line with CRLF, whatever line end it came with. */
        byte[] withCrlf() {
            byte[] out = Arrays.copyOf(bytes, bytes.length + 2);
            out[bytes.length] = '\r';
            out[bytes.length + 1] = '\n';
            return out;
        }
    }

    private final int capacity;
    private byte[] buffer = new byte[64];
    private int length;
    private boolean pendingCr;
    private boolean bareCr;
    private boolean overflowed;
    private boolean started;

    CommandLineReader(int capacity) {
        this.capacity = capacity;
    }

    /** Consumes bytes up to the end of the next line and returns it; or consumes all and returns empty. */
    Optional<Line> next(ByteBuffer data) {
        while (data.hasRemaining()) {
            byte b = data.get();
            started = true;
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

    /** Whether part of a line has been read. */
    boolean inLine() {
        return started;
    }

    private void append(byte b) {
        if (length == capacity) {
            overflowed = true;
            return;
        }
        if (buffer.length == length) {
            buffer = Arrays.copyOf(buffer, Math.min(capacity, length * 2));
        }
        buffer[length++] = b;
    }

    private Line complete() {
        Line line = new Line(Arrays.copyOf(buffer, length), !pendingCr, bareCr, overflowed);
        length = 0;
        pendingCr = false;
        bareCr = false;
        overflowed = false;
        started = false;
        return line;
    }
}
