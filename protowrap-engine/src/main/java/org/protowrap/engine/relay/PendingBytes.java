package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Bytes of one direction that the receiving side did not take yet. Holds no array while empty,
 * so an idle connection costs nothing here; the array is sized to what is queued and dropped
 * once drained. The connection stops reading the side that feeds a non-empty queue, which keeps
 * it at about one read's worth plus one unit of a validator.
 */
final class PendingBytes {

    /** Shared by every empty queue: it has no room, so nothing is ever written into it. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ByteBuffer bytes = EMPTY;

    boolean isEmpty() {
        return !bytes.hasRemaining();
    }

    int size() {
        return bytes.remaining();
    }

    /** Copies what remains of {@code src} after what is already queued. */
    void append(ByteBuffer src) {
        int needed = bytes.remaining() + src.remaining();
        if (bytes.capacity() - bytes.limit() < src.remaining()) {
            // doubling keeps many small appends (a validator forwarding line by line) linear
            ByteBuffer grown = ByteBuffer.allocate(Math.max(needed, 2 * bytes.remaining()));
            grown.put(bytes).put(src).flip();
            bytes = grown;
            return;
        }
        int end = bytes.limit();
        bytes.limit(end + src.remaining());
        bytes.put(end, src, src.position(), src.remaining());
        src.position(src.limit());
    }

    /** Writes as much as {@code peer} takes; returns the count. Releases the array when drained. */
    int flushTo(Peer peer) throws IOException {
        int written = 0;
        while (bytes.hasRemaining()) {
            int n = peer.write(bytes);
            if (n == 0) {
                break;
            }
            written += n;
        }
        if (!bytes.hasRemaining()) {
            clear();
        }
        return written;
    }

    void clear() {
        bytes = EMPTY;
    }
}
