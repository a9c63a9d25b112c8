package org.protowrap.validator.http;

import java.nio.ByteBuffer;

/**
 * A copy of the unit being validated (a request head, a chunk-size line, a trailer section)
 * for when it spans reads. Allocated on first need, grown by doubling, and released when the
 * unit has been forwarded, so that an idle connection holds no buffer. It does not bound itself:
 * the line budgets of its {@link LineConsumer}s do.
 */
final class UnitBuffer {

    private static final int INITIAL_SIZE = 512;

    private byte[] bytes;
    private ByteBuffer view;
    private int length;

    int length() {
        return length;
    }

    /** The bytes held, at indices {@code [0, length())}. Valid until the next append. */
    ByteBuffer view() {
        return view;
    }

    void append(ByteBuffer src, int from, int to) {
        int n = to - from;
        ensureRoom(n);
        src.get(from, bytes, length, n);
        length += n;
    }

    /** Forgets the bytes and keeps the memory for the next unit. */
    void clear() {
        length = 0;
    }

    /** Forgets the bytes and gives the memory back. */
    void release() {
        bytes = null;
        view = null;
        length = 0;
    }

    /** Bytes of memory held, for tests of the per-connection bound. */
    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }

    private void ensureRoom(int n) {
        int needed = length + n;
        if (bytes != null && needed <= bytes.length) {
            return;
        }
        int size = bytes == null ? INITIAL_SIZE : bytes.length;
        while (size < needed) {
            size *= 2;
        }
        byte[] grown = new byte[size];
        if (bytes != null) {
            System.arraycopy(bytes, 0, grown, 0, length);
        }
        bytes = grown;
        view = ByteBuffer.wrap(grown);
    }
}
