package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;

/**
 * Forwards validated client bytes to the server as slices of the read, without copying.
 * Adjacent validated bytes (several pipelined requests, a chunk line and its data) form one run
 * and go out in one send; bytes that are held or dropped break the run.
 */
final class ClientForwarder {

    private ByteBuffer data = ByteBuffer.allocate(0);
    private int runStart;

    /** A new read: the run starts at {@code pos}. */
    void begin(ByteBuffer read, int pos) {
        data = read;
        runStart = pos;
    }

    /** Sends the validated bytes of the run that lie before {@code to}. */
    void flush(int to, Decisions out) {
        if (to > runStart) {
            out.sendToServer(data.slice(runStart, to - runStart));
            runStart = to;
        }
    }

    /** The bytes before {@code pos} are not the run's (held, rewritten or dropped). */
    void skip(int pos) {
        runStart = pos;
    }

    /** Sends {@code src[from, to)} minus the {@code [start, end)} pairs of {@code cuts}, offsets relative to {@code from}. */
    static void sendWithout(ByteBuffer src, int from, int to, int[] cuts, int cutCount, Decisions out) {
        int next = from;
        for (int i = 0; i < cutCount; i += 2) {
            int cutStart = from + cuts[i];
            int cutEnd = from + cuts[i + 1];
            if (cutStart > next) {
                out.sendToServer(src.slice(next, cutStart - next));
            }
            next = Math.max(next, cutEnd);
        }
        if (to > next) {
            out.sendToServer(src.slice(next, to - next));
        }
    }
}
