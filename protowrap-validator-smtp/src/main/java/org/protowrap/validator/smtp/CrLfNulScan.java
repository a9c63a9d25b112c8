package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds the next CR, LF or NUL in a buffer, eight bytes at a time: each long read from the buffer
 * is tested for the three values at once with a carry-free zero-byte test (so no byte is flagged
 * by its neighbour, in either byte order). Mail text has a line end every few dozen bytes, so the
 * gain over a byte loop is bounded by the line length; it is largest on long lines.
 */
final class CrLfNulScan {

    private static final long LOW_SEVEN_BITS = 0x7F7F7F7F7F7F7F7FL;
    private static final long EVERY_CR = 0x0D0D0D0D0D0D0D0DL;
    private static final long EVERY_LF = 0x0A0A0A0A0A0A0A0AL;

    private CrLfNulScan() {}

    /** The index of the first CR, LF or NUL in {@code [from, to)} of {@code buffer}, or {@code to} if there is none. */
    static int indexIn(ByteBuffer buffer, int from, int to) {
        boolean bigEndian = buffer.order() == ByteOrder.BIG_ENDIAN;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = buffer.getLong(i);
            long found = zeroBytes(word ^ EVERY_CR) | zeroBytes(word ^ EVERY_LF) | zeroBytes(word);
            if (found != 0) {
                int bit = bigEndian ? Long.numberOfLeadingZeros(found) : Long.numberOfTrailingZeros(found);
                return i + bit / Byte.SIZE;
            }
        }
        for (; i < to; i++) {
            byte b = buffer.get(i);
            if (b == '\r' || b == '\n' || b == 0) {
                return i;
            }
        }
        return to;
    }

    /** The high bit of each byte of {@code x} that is zero, and no other bit. */
    private static long zeroBytes(long x) {
        long lowBitsPlusSeven = (x & LOW_SEVEN_BITS) + LOW_SEVEN_BITS;
        return ~(lowBitsPlusSeven | x | LOW_SEVEN_BITS);
    }
}
