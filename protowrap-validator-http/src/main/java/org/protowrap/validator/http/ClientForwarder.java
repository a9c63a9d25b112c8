package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;

/**
 * Forwards validated client bytes to the server as slices of the read, without copying.
 * Adjacent validated bytes (several pipelined requests, a chunk line and its data) form one run
 * and go out in one send; bytes that are held or dropped break the run.
 */
final class ClientForwarder {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ByteBuffer data = EMPTY;
    private int runStart;
    /** The run holds a head with credentials: it goes out as such, so that the log leaves it out. */
    private boolean credentials;

    /** A new read: the run starts at {@code pos}. */
    void begin(ByteBuffer read, int pos) {
        data = read;
        runStart = pos;
    }

    /** The read is over: drops the reference to its buffer, which the engine reuses. */
    void end() {
        data = EMPTY;
        runStart = 0;
        credentials = false;
    }

    /** Sends the validated bytes of the run that lie before {@code to}. */
    void flush(int to, Decisions out) {
        if (to > runStart) {
            send(data.slice(runStart, to - runStart), credentials, out);
            runStart = to;
            credentials = false;
        }
    }

    /** The run now holds a head with credentials: it is sent as such when flushed. */
    void carriesCredentials() {
        credentials = true;
    }

    private static void send(ByteBuffer bytes, boolean credentials, Decisions out) {
        if (credentials) {
            out.sendCredentialsToServer(bytes);
        } else {
            out.sendToServer(bytes);
        }
    }

    /** The bytes before {@code pos} are not the run's (held, rewritten or dropped). */
    void skip(int pos) {
        runStart = pos;
    }

    /**
     * Sends the unit the reader just completed on its own, after the run before it: from the
     * reader's copy if it spanned reads, without the cut ranges.
     */
    void sendUnit(UnitReader reader, UnitCuts cuts, boolean unitCredentials, Decisions out) {
        flush(reader.unitStart(), out);
        ByteBuffer src = reader.isHeld() ? reader.heldUnit() : data;
        int from = reader.isHeld() ? 0 : reader.unitStart();
        cuts.sendWithout(src, from, from + reader.unitLength(), bytes -> send(bytes, unitCredentials, out));
        skip(reader.end());
    }
}
