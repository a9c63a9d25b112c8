package org.protowrap.validator.http;

import java.nio.ByteBuffer;

/**
 * Finds the end of a chunked response body, one byte at a time so that nothing is held. It
 * reads framing as clients do (LF with or without CR, extensions and trailers skipped) and
 * fails on what no client could frame: a chunk size that is not hex or overflows, data not
 * followed by a line end.
 */
final class ResponseChunks {

    private enum State { SIZE_FIRST, SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_END_LF, DONE, BROKEN }

    private static final int MAX_SIZE_DIGITS = 15;

    private State state = State.SIZE_FIRST;
    private long size;
    private int digits;

    void start() {
        state = State.SIZE_FIRST;
    }

    boolean done() {
        return state == State.DONE;
    }

    boolean broken() {
        return state == State.BROKEN;
    }

    /** Scans from {@code pos}; stops at the end of the body, on an error, or at {@code limit}. */
    int scan(ByteBuffer data, int pos, int limit) {
        int p = pos;
        while (p < limit && state != State.DONE && state != State.BROKEN) {
            if (state == State.DATA) {
                long n = Math.min(size, limit - p);
                size -= n;
                p += (int) n;
                state = size == 0 ? State.DATA_CR : State.DATA;
            } else {
                step(data.get(p));
                p++;
            }
        }
        return p;
    }

    private void step(byte b) {
        state = switch (state) {
            case SIZE_FIRST -> firstDigit(b);
            case SIZE -> sizeByte(b);
            case EXTENSION -> b == '\n' ? afterSizeLine() : State.EXTENSION;
            case SIZE_LF -> b == '\n' ? afterSizeLine() : State.BROKEN;
            case DATA_CR -> b == '\r' ? State.DATA_LF : b == '\n' ? State.SIZE_FIRST : State.BROKEN;
            case DATA_LF -> b == '\n' ? State.SIZE_FIRST : State.BROKEN;
            case TRAILER_START -> b == '\r' ? State.TRAILER_END_LF : b == '\n' ? State.DONE : State.TRAILER;
            case TRAILER -> b == '\n' ? State.TRAILER_START : State.TRAILER;
            case TRAILER_END_LF -> b == '\n' ? State.DONE : State.BROKEN;
            case DATA, DONE, BROKEN -> state;
        };
    }

    private State firstDigit(byte b) {
        int v = HttpGrammar.hexValue(b);
        if (v < 0) {
            return State.BROKEN;
        }
        size = v;
        digits = 1;
        return State.SIZE;
    }

    private State sizeByte(byte b) {
        int v = HttpGrammar.hexValue(b);
        if (v >= 0) {
            size = (size << 4) | v;
            return ++digits > MAX_SIZE_DIGITS ? State.BROKEN : State.SIZE;
        }
        return switch (b) {
            case ';', ' ', '\t' -> State.EXTENSION;
            case '\r' -> State.SIZE_LF;
            case '\n' -> afterSizeLine();
            default -> State.BROKEN;
        };
    }

    private State afterSizeLine() {
        return size == 0 ? State.TRAILER_START : State.DATA;
    }
}
