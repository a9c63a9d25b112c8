package org.protowrap.validator.http;

/**
 * The requests forwarded on a connection whose final responses have not been relayed yet, in
 * order: what the response tracker needs to frame each response (HEAD, CONNECT, Upgrade) and
 * what follows it (close). A ring of at most {@code maxPipelined} bytes, allocated on first use.
 */
final class PendingRequests {

    /** What a response depends on. */
    enum Kind { PLAIN, HEAD, CONNECT, UPGRADE }

    private static final int CLOSE_AFTER = 0x10;
    private static final Kind[] KINDS = Kind.values();

    private final int capacity;
    private byte[] ring;
    private int first;
    private int size;

    PendingRequests(int capacity) {
        this.capacity = capacity;
    }

    boolean isFull() {
        return size == capacity;
    }

    /** Requests awaiting their response. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Kind kind, boolean closeAfter) {
        if (ring == null) {
            ring = new byte[capacity];
        }
        ring[(first + size) % capacity] = (byte) (kind.ordinal() | (closeAfter ? CLOSE_AFTER : 0));
        size++;
    }

    /** The oldest request's kind; {@link Kind#PLAIN} when none is pending (an unsolicited response). */
    Kind oldest() {
        return size == 0 ? Kind.PLAIN : KINDS[ring[first] & 0x0f];
    }

    /** Whether the connection ends after the oldest request's response. */
    boolean oldestClosesAfter() {
        return size > 0 && (ring[first] & CLOSE_AFTER) != 0;
    }

    /** The connection ends after the newest request's response (the wrapper is draining). */
    void markNewestClosesAfter() {
        if (size > 0) {
            ring[(first + size - 1) % capacity] |= CLOSE_AFTER;
        }
    }

    void removeOldest() {
        if (size > 0) {
            first = (first + 1) % capacity;
            size--;
        }
    }

    int retainedBytes() {
        return ring == null ? 0 : ring.length;
    }
}
