package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;

/**
 * The mail data of one message after the server's {@code 354}, streamed to the server as it is
 * validated. Only {@code CRLF . CRLF} ends the data (the CRLF that ended DATA counts as the
 * first). Everything up to the byte being decided is forwarded at once; only a dot at the start
 * of a line and a CR are held back (at most two bytes) until the next byte tells what they are,
 * so the verdict and the forwarded bytes never depend on how the input was split.
 *
 * <p>A bare LF or bare CR, the SMTP smuggling vector, is refused by default: the caller drops
 * the server connection before any end-of-data marker reaches it. With {@code normalize} it
 * becomes CRLF, and a line that then starts with a dot is dot-stuffed once more, so that the
 * server never sees an end of data the wrapper did not see. In {@code log} or {@code off} mode
 * the bytes pass unchanged, which is safe only in front of a server that itself ends data at
 * {@code CRLF . CRLF} alone.
 *
 * <p>It does not look at the message's content (headers, MIME, 8-bit bytes).
 */
final class DataPhase {

    /** Where the reader is in the current line. Allowed transitions are in {@link #step}. */
    private enum Position {
        /** At the start of a line that followed a CRLF (or the start of the data). */
        LINE_START,
        /** At the start of a line that followed a bare line end made into CRLF (normalize only). */
        NORMALIZED_LINE_START,
        /** A dot at {@link #LINE_START}, held. */
        DOT,
        /** A dot and a CR at {@link #LINE_START}, held. */
        DOT_CR,
        /** Inside a line. */
        IN_LINE,
        /** A CR inside a line, held. */
        CR
    }

    /** How a call ended. */
    enum Status {
        /** All input consumed; the data goes on. */
        MORE,
        /** The end-of-data line was forwarded; the input's position is just after it. */
        END,
        /** A rule refused the message; nothing after the offending byte was forwarded. */
        REFUSED
    }

    /** The outcome of one call: the status and, when refused, the rule and why. */
    record Result(Status status, Optional<SmtpRule> rule, String detail) {
        static final Result MORE = new Result(Status.MORE, Optional.empty(), "");
        static final Result END = new Result(Status.END, Optional.empty(), "");
    }

    private static final byte CR_BYTE = '\r';
    private static final byte LF_BYTE = '\n';
    private static final byte DOT_BYTE = '.';
    private static final byte[] CRLF = {CR_BYTE, LF_BYTE};
    private static final byte[] DOT = {DOT_BYTE};
    private static final byte[] CR = {CR_BYTE};
    private static final byte[] DOT_CR = {DOT_BYTE, CR_BYTE};
    private static final byte[] STUFFED_DOT_LINE = {DOT_BYTE, DOT_BYTE, CR_BYTE, LF_BYTE};
    private static final byte[] END_OF_DATA = {DOT_BYTE, CR_BYTE, LF_BYTE};

    private final SmtpSettings settings;
    private final Set<SmtpRule> logged = EnumSet.noneOf(SmtpRule.class);
    private Position position = Position.LINE_START;
    private long lineLength;
    private long consumed;

    private ByteBuffer input;
    private Decisions out;
    private int runStart;

    DataPhase(SmtpSettings settings) {
        this.settings = settings;
    }

    /** Octets of message data received so far, held bytes and the end-of-data line excluded. */
    long size() {
        return consumed - held();
    }

    private int held() {
        return switch (position) {
            case DOT, CR -> 1;
            case DOT_CR -> 2;
            default -> 0;
        };
    }

    /**
     * Validates and forwards {@code data} from its position, up to the end of data at most. On
     * {@link Status#END} and {@link Status#REFUSED} the position is just after the deciding byte.
     */
    Result feed(ByteBuffer data, Decisions decisions) {
        input = data;
        out = decisions;
        runStart = data.position();
        try {
            while (data.hasRemaining()) {
                int at = data.position();
                data.position(at + 1);
                consumed++;
                Result r = step(data.get(at), at);
                if (r.status() == Status.MORE) {
                    r = checkSize(at);
                }
                if (r.status() != Status.MORE) {
                    return r;
                }
            }
            flush(data.position());
            return Result.MORE;
        } finally {
            input = null;
            out = null;
        }
    }

    /**
     * One byte at index {@code at}: the whole state machine. The bytes in {@code [runStart, at)}
     * are pending verbatim output; a byte that is neither held nor replaced joins them.
     */
    private Result step(byte b, int at) {
        return switch (position) {
            case LINE_START -> b == DOT_BYTE ? hold(at, Position.DOT) : inLine(b, at);
            case NORMALIZED_LINE_START -> b == DOT_BYTE ? stuffAgain(at) : inLine(b, at);
            case DOT -> afterDot(b, at);
            case DOT_CR -> afterDotCr(b, at);
            case IN_LINE -> inLine(b, at);
            case CR -> afterCr(b, at);
        };
    }

    private Result inLine(byte b, int at) {
        position = Position.IN_LINE;
        if (b == CR_BYTE) {
            return hold(at, Position.CR);
        }
        if (b == LF_BYTE) {
            return bareLf("bare LF", at, new byte[0]);
        }
        if (b == 0) {
            // Servers that drop NUL would read "<CR><LF><NUL>.<CR><LF>" as the end of data.
            Result r = limit(SmtpRule.DATA_NUL, "NUL in message data", at);
            if (r.status() != Status.MORE) {
                return r;
            }
        }
        return content(1, at);
    }

    private Result afterCr(byte b, int at) {
        if (b == LF_BYTE) {
            emit(at, CR);
            position = Position.LINE_START;
            lineLength = 0;
            return Result.MORE;
        }
        return bareCr("bare CR inside a line", b, at, false);
    }

    private Result afterDot(byte b, int at) {
        if (b == CR_BYTE) {
            return hold(at, Position.DOT_CR);
        }
        if (b == LF_BYTE) {
            return bareLf("bare LF after a dot at the start of a line", at, DOT);
        }
        emit(at, DOT);
        position = Position.IN_LINE;
        lineLength++;
        return inLine(b, at);
    }

    private Result afterDotCr(byte b, int at) {
        if (b == LF_BYTE) {
            drop(at);
            emit(at + 1, END_OF_DATA);
            consumed -= END_OF_DATA.length;
            position = Position.LINE_START;
            return Result.END;
        }
        return bareCr("bare CR after a dot at the start of a line", b, at, true);
    }

    /** A dot at the start of a line that follows a normalized line end: stuff it once more. */
    private Result stuffAgain(int at) {
        emit(at, DOT);
        position = Position.IN_LINE;
        lineLength++;
        return content(1, at);
    }

    /**
     * A bare LF at {@code at}, after {@code heldBefore} (held bytes not yet forwarded: nothing,
     * or a dot at the start of a line).
     */
    private Result bareLf(String detail, int at, byte[] heldBefore) {
        Optional<Result> refused = bareLineEnd(SmtpRule.DATA_BARE_LF, detail, at);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (settings.normalize()) {
            drop(at);
            emit(at + 1, heldBefore.length == 0 ? CRLF : STUFFED_DOT_LINE);
            startNormalizedLine();
            return Result.MORE;
        }
        emit(at, heldBefore);
        position = Position.IN_LINE;
        lineLength += heldBefore.length;
        return content(1, at);
    }

    /**
     * The byte {@code b} at {@code at} follows a held CR (after a held dot at the start of a
     * line, if {@code afterDot}): the CR was bare. Normalized, the held bytes become a CRLF (or
     * a stuffed dot line), and {@code b} starts the next line.
     */
    private Result bareCr(String detail, byte b, int at, boolean afterDot) {
        Optional<Result> refused = bareLineEnd(SmtpRule.DATA_BARE_CR, detail, at);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (settings.normalize()) {
            emit(at, afterDot ? STUFFED_DOT_LINE : CRLF);
            startNormalizedLine();
            return step(b, at);
        }
        byte[] held = afterDot ? DOT_CR : CR;
        emit(at, held);
        position = Position.IN_LINE;
        lineLength += held.length;
        Result r = checkLine(at);
        return r.status() != Status.MORE ? r : inLine(b, at);
    }

    /** Applies a bare-line-end rule: empty when the bytes go on (normalized, logged or unchecked). */
    private Optional<Result> bareLineEnd(SmtpRule rule, String detail, int at) {
        RuleMode mode = settings.mode(rule);
        if (mode == RuleMode.ENFORCE && !settings.normalize()) {
            return Optional.of(refuse(rule, detail, at));
        }
        if (mode == RuleMode.ENFORCE) {
            report(rule, RuleMode.ENFORCE, detail + ", made CRLF", at);
        } else if (mode == RuleMode.LOG) {
            report(rule, RuleMode.LOG, detail, at);
        }
        return Optional.empty();
    }

    private void startNormalizedLine() {
        position = Position.NORMALIZED_LINE_START;
        lineLength = 0;
    }

    /** The byte at {@code at} is line content and goes out verbatim. */
    private Result content(int octets, int at) {
        lineLength += octets;
        return checkLine(at);
    }

    private Result hold(int at, Position next) {
        drop(at);
        position = next;
        return Result.MORE;
    }

    private Result checkLine(int at) {
        if (lineLength + 2 <= settings.maxTextLineLength()) {
            return Result.MORE;
        }
        return limit(SmtpRule.DATA_LINE_TOO_LONG, "text line longer than " + settings.maxTextLineLength() + " octets", at);
    }

    private Result checkSize(int at) {
        long max = settings.maxMessageSize();
        if (max == 0 || size() <= max) {
            return Result.MORE;
        }
        return limit(SmtpRule.MESSAGE_TOO_BIG, "message larger than " + max + " octets", at);
    }

    /** A rule matched: refused when enforced, reported when logged. */
    private Result limit(SmtpRule rule, String detail, int at) {
        RuleMode mode = settings.mode(rule);
        if (mode == RuleMode.ENFORCE) {
            return refuse(rule, detail, at);
        }
        if (mode == RuleMode.LOG) {
            report(rule, RuleMode.LOG, detail, at);
        }
        return Result.MORE;
    }

    /** Forwards what came before {@code at}, and nothing after. */
    private Result refuse(SmtpRule rule, String detail, int at) {
        flush(Math.max(at, runStart));
        report(rule, RuleMode.ENFORCE, detail, at);
        return new Result(Status.REFUSED, Optional.of(rule), detail);
    }

    /** Reports a rule at most once per message, so that a long message cannot flood the log. */
    private static final int EXCERPT_BEFORE = 24;
    private static final int EXCERPT_AFTER = 16;

    private void report(SmtpRule rule, RuleMode mode, String detail, int at) {
        if (!logged.add(rule)) {
            return;
        }
        int from = Math.max(at - EXCERPT_BEFORE, 0);
        int to = Math.min(at + 1 + EXCERPT_AFTER, input.limit());
        out.report(new Violation(rule.rule().name(), mode, detail,
                Violation.excerptOf(input.duplicate().limit(to).position(from))));
    }

    /** The byte at {@code at} is not forwarded as is: forward what came before it. */
    private void drop(int at) {
        flush(at);
        runStart = at + 1;
    }

    /** Forwards the pending run {@code [runStart, end)}. */
    private void flush(int end) {
        if (end > runStart) {
            out.sendToServer(input.slice(runStart, end - runStart));
        }
        runStart = Math.max(runStart, end);
    }

    /** Forwards the run before {@code at}, then {@code bytes}; the byte at {@code at} is still undecided. */
    private void emit(int at, byte[] bytes) {
        flush(at);
        if (bytes.length > 0) {
            out.sendToServer(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        }
    }
}
