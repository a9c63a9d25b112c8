package org.protowrap.engine.line;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.engine.line.LineValidatorProvider.LinePolicy;

/**
 * One connection under the base rule. Complete lines that fit are forwarded as slices of the
 * input, without copying; only an incomplete line is copied, into a buffer of at most
 * {@code maxLineLength} bytes allocated on first need.
 *
 * <p>States: {@link State#LINES} (between or inside lines that fit), {@link State#OVERLONG}
 * (inside a line already found too long: its rest is dropped, or relayed in {@code log} mode),
 * {@link State#CLOSED}.
 */
final class LineSession implements ValidatorSession {

    private enum State { LINES, OVERLONG, CLOSED }

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final LinePolicy policy;
    private State state = State.LINES;
    private byte[] partial;
    private int partialLength;
    private boolean lastWasCr;

    LineSession(LinePolicy policy) {
        this.policy = policy;
    }

    @Override
    public void onClientData(ByteBuffer data, Decisions out) {
        if (policy.mode() == RuleMode.OFF) {
            out.sendToServer(data);
            return;
        }
        int pos = data.position();
        int limit = data.limit();
        int runStart = pos; // [runStart, pos) holds complete lines that fit, not yet forwarded
        while (pos < limit && state != State.CLOSED) {
            int lf = indexOf(data, pos, limit);
            int end = lf < 0 ? limit : lf + 1;
            if (state == State.OVERLONG) {
                pos = overlongSegment(data, pos, end, lf >= 0, out);
                runStart = pos;
                continue;
            }
            int length = partialLength + end - pos;
            boolean tooLong = lf >= 0 ? length > policy.maxLineLength() : length >= policy.maxLineLength();
            if (tooLong) {
                forward(data, runStart, pos, out);
                pos = startOverlong(data, pos, end, lf >= 0, out);
                runStart = pos;
            } else if (lf < 0) {
                forward(data, runStart, pos, out);
                keep(data, pos, end);
                pos = end;
                runStart = end;
            } else if (partialLength > 0) {
                out.sendToServer(ByteBuffer.wrap(partial, 0, partialLength));
                partialLength = 0;
                forward(data, pos, end, out);
                pos = end;
                runStart = end;
            } else {
                pos = end;
            }
        }
        if (state != State.CLOSED) {
            forward(data, runStart, pos, out);
        }
        data.position(limit);
    }

    /** At the client's end, a last line without a line end is still a line: forward it. */
    @Override
    public void onClientEnd(Decisions out) {
        if (state == State.LINES && partialLength > 0) {
            out.sendToServer(ByteBuffer.wrap(partial, 0, partialLength));
            partialLength = 0;
        } else if (state == State.OVERLONG && policy.mode() == RuleMode.ENFORCE
                && policy.overlong() == LineValidatorProvider.Overlong.TRUNCATE) {
            out.sendToServer(ByteBuffer.wrap(partial, 0, stripCr(partialLength)));
            partialLength = 0;
        }
    }

    /** The line from {@code partial} plus {@code data[pos, end)} is too long. Returns the new position. */
    private int startOverlong(ByteBuffer data, int pos, int end, boolean complete, Decisions out) {
        byte[] excerpt = new byte[Math.min(partialLength + end - pos, 80)];
        int fromPartial = Math.min(partialLength, excerpt.length);
        if (fromPartial > 0) {
            System.arraycopy(partial, 0, excerpt, 0, fromPartial);
        }
        data.get(pos, excerpt, fromPartial, excerpt.length - fromPartial);
        out.report(new Violation(LineValidatorProvider.TOO_LONG.name(), policy.mode(),
                "line longer than " + policy.maxLineLength() + " bytes", Violation.excerptOf(excerpt, 0, excerpt.length)));
        lastWasCr = partialLength > 0 && partial[partialLength - 1] == CR;
        if (policy.mode() == RuleMode.LOG) {
            out.sendToServer(ByteBuffer.wrap(partial == null ? new byte[0] : partial, 0, partialLength));
            partialLength = 0;
            forward(data, pos, end, out);
        } else {
            switch (policy.overlong()) {
                case CLOSE -> {
                    partialLength = 0;
                    state = State.CLOSED;
                    out.close();
                    return end;
                }
                case REJECT -> partialLength = 0;
                case TRUNCATE -> {
                    int room = policy.maxLineLength() - 2 - partialLength;
                    if (room > 0) {
                        keep(data, pos, Math.min(end, pos + room));
                    }
                    partialLength = Math.min(partialLength, policy.maxLineLength() - 2);
                }
            }
        }
        state = State.OVERLONG;
        return overlongEnd(data, pos, end, complete, out);
    }

    /** Inside a line already too long: drop (or, in log mode, relay) up to its end. */
    private int overlongSegment(ByteBuffer data, int pos, int end, boolean complete, Decisions out) {
        if (policy.mode() == RuleMode.LOG) {
            forward(data, pos, end, out);
        }
        return overlongEnd(data, pos, end, complete, out);
    }

    /** Ends a segment of an overlong line; at its line end, a truncated line goes out with that line end. */
    private int overlongEnd(ByteBuffer data, int start, int end, boolean complete, Decisions out) {
        if (!complete) {
            lastWasCr = end > start ? data.get(end - 1) == CR : lastWasCr;
            return end;
        }
        boolean crBeforeLf = end - 1 > start ? data.get(end - 2) == CR : lastWasCr;
        if (policy.mode() == RuleMode.ENFORCE && policy.overlong() == LineValidatorProvider.Overlong.TRUNCATE) {
            int length = stripCr(partialLength);
            out.sendToServer(ByteBuffer.wrap(partial, 0, length));
            out.sendToServer(ByteBuffer.wrap(crBeforeLf ? CRLF : LF_ONLY));
        }
        partialLength = 0;
        state = State.LINES;
        return end;
    }

    private static final byte[] CRLF = {CR, LF};
    private static final byte[] LF_ONLY = {LF};

    private int stripCr(int length) {
        return length > 0 && partial[length - 1] == CR ? length - 1 : length;
    }

    private void keep(ByteBuffer data, int from, int to) {
        if (partial == null) {
            partial = new byte[policy.maxLineLength()];
        }
        data.get(from, partial, partialLength, to - from);
        partialLength += to - from;
    }

    private static void forward(ByteBuffer data, int from, int to, Decisions out) {
        if (to > from) {
            out.sendToServer(data.slice(from, to - from));
        }
    }

    private static int indexOf(ByteBuffer data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.get(i) == LF) {
                return i;
            }
        }
        return -1;
    }
}
