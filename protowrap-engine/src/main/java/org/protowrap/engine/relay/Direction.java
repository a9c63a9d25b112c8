package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * One direction of a relayed connection, from its source to its sink: the bytes the sink has not
 * taken yet, whether the source has ended, whether the end was passed on to the sink, and how many
 * bytes the sink took. The connection has two: upstream (client to server) and downstream (server
 * to client). What a direction knows is its own; when to read, and what to do with a failure, is
 * the connection's.
 */
final class Direction {

    Direction(LongAdder total) {
        this.total = total;
    }

    private final PendingBytes queue = new PendingBytes();
    /** The wrapper's count of bytes this way, for metrics. */
    private final LongAdder total;
    private boolean sourceEnded;
    private boolean sinkShut;
    private long delivered;

    /** Writes at once what the sink takes, if nothing is queued before it; queues the rest. Returns the count written. */
    int send(Peer sink, ByteBuffer bytes) throws IOException {
        int written = 0;
        if (queue.isEmpty()) {
            while (bytes.hasRemaining()) {
                int n = sink.write(bytes);
                if (n == 0) {
                    break;
                }
                written += n;
            }
        }
        if (bytes.hasRemaining()) {
            queue.append(bytes);
        }
        count(written);
        return written;
    }

    /** Queues bytes for a sink that is not there yet (a backend being connected). */
    void hold(ByteBuffer bytes) {
        queue.append(bytes);
    }

    /** Writes what is queued as far as the sink takes it; returns the count. */
    int flush(Peer sink) throws IOException {
        int written = queue.flushTo(sink);
        count(written);
        return written;
    }

    /** Whether the source's end is to be passed on to the sink now: it ended and everything before it was written. */
    boolean endDue() {
        return sourceEnded && !sinkShut && queue.isEmpty();
    }

    /** The end was passed on (or there was no sink to pass it to). */
    void endPassed() {
        sinkShut = true;
    }

    private void count(int written) {
        if (written > 0) {
            delivered += written;
            total.add(written);
        }
    }

    void sourceEnded() {
        sourceEnded = true;
    }

    boolean isSourceEnded() {
        return sourceEnded;
    }

    boolean isSinkShut() {
        return sinkShut;
    }

    /** Nothing waits to be written. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    int queued() {
        return queue.size();
    }

    /** Bytes the sink took so far. */
    long delivered() {
        return delivered;
    }

    /** Drops what is queued. */
    void clear() {
        queue.clear();
    }

    /** A new backend is this direction's source (downstream): its end is not seen yet. */
    void newSource() {
        sourceEnded = false;
    }

    /** A new backend is this direction's sink (upstream): the end was not passed on to it yet. */
    void newSink() {
        sinkShut = false;
    }
}
