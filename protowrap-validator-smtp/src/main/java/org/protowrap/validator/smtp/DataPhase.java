package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * <p>Forwarding: a held byte that turns out to be plain data stays part of the run of input it
 * came in, so a read of many lines goes to the server as one slice of the input, not as a slice
 * and a CR per line; only bytes held across two reads, and bytes a rule replaces, are sent as
 * separate little arrays. Inside a line the bytes that cannot end it (anything but CR, LF and NUL)
 * are skipped eight at a time while no length limit is near; the byte-by-byte state machine
 * decides everything else.
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

    /** The outcome of one call: the status and, when refused, the rule. */
    record Result(Status status, Optional<SmtpRule> rule) {
        static final Result MORE = new Result(Status.MORE, Optional.empty());
        static final Result END = new Result(Status.END, Optional.empty());
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
    /** Start of the input not yet forwarded. */
    private int runStart;
    /** Where the held bytes that are in this input start (valid while holding). */
    private int heldStart;
    /** How many of the held bytes came in an earlier input, so are not in this one. */
    private int heldBefore;

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
        heldStart = runStart;
        heldBefore = held();
        try {
            while (data.hasRemaining()) {
                skipPlainText(data);
                if (!data.hasRemaining()) {
                    break;
                }
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
            flush(runEnd(data.position()));
            return Result.MORE;
        } finally {
            input = null;
            out = null;
        }
    }

    /**
     * Inside a line, consumes the bytes before the next CR, LF or NUL at once, as {@link #step}
     * would one by one, but never so many that a length limit could be reached among them: the
     * byte that reaches it goes through {@link #step}.
     */
    private void skipPlainText(ByteBuffer data) {
        if (position != Position.IN_LINE) {
            return;
        }
        int from = data.position();
        long room = Math.min(data.limit() - from, Math.min(lineRoom(), sizeRoom()));
        if (room <= 0) {
            return;
        }
        int n = CrLfNulScan.indexIn(data, from, from + (int) room) - from;
        data.position(from + n);
        consumed += n;
        lineLength += n;
    }

    /** Octets a line may still grow by before {@link #checkLine} has anything to say. */
    private long lineRoom() {
        if (settings.mode(SmtpRule.DATA_LINE_TOO_LONG) == RuleMode.OFF) {
            return Long.MAX_VALUE;
        }
        return settings.maxTextLineLength() - 2 - lineLength;
    }

    /** Octets the message may still grow by before {@link #checkSize} has anything to say. */
    private long sizeRoom() {
        long max = settings.maxMessageSize();
        if (max == 0 || settings.mode(SmtpRule.MESSAGE_TOO_BIG) == RuleMode.OFF) {
            return Long.MAX_VALUE;
        }
        return max - size();
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
            keepHeld();
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
        keepHeld();
        position = Position.IN_LINE;
        lineLength++;
        return inLine(b, at);
    }

    private Result afterDotCr(byte b, int at) {
        if (b == LF_BYTE) {
            keepHeld();
            flush(at + 1);
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
     * A bare LF at {@code at}, after {@code held} (held bytes not yet forwarded: nothing,
     * or a dot at the start of a line).
     */
    private Result bareLf(String detail, int at, byte[] held) {
        Optional<Result> refused = bareLineEnd(SmtpRule.DATA_BARE_LF, detail, at);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (settings.normalize()) {
            replaceHeld(at, at + 1, held.length == 0 ? CRLF : STUFFED_DOT_LINE);
            startNormalizedLine();
            return Result.MORE;
        }
        keepHeld();
        position = Position.IN_LINE;
        lineLength += held.length;
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
            replaceHeld(at, at, afterDot ? STUFFED_DOT_LINE : CRLF);
            startNormalizedLine();
            return step(b, at);
        }
        keepHeld();
        position = Position.IN_LINE;
        lineLength += afterDot ? DOT_CR.length : CR.length;
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

    /** The byte at {@code at} waits for the next one; it stays out of the run until then. */
    private Result hold(int at, Position next) {
        if (held() == 0) {
            heldStart = at;
        }
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

    /** Forwards what came before {@code at} (held bytes excepted), and nothing after. */
    private Result refuse(SmtpRule rule, String detail, int at) {
        flush(runEnd(at));
        report(rule, RuleMode.ENFORCE, detail, at);
        return new Result(Status.REFUSED, Optional.of(rule));
    }

    private static final int EXCERPT_BEFORE = 24;
    private static final int EXCERPT_AFTER = 16;

    /** Reports a rule at most once per message, so that a long message cannot flood the log. */
    private void report(SmtpRule rule, RuleMode mode, String detail, int at) {
        if (!logged.add(rule)) {
            return;
        }
        int from = Math.max(at - EXCERPT_BEFORE, 0);
        int to = Math.min(at + 1 + EXCERPT_AFTER, input.limit());
        out.report(new Violation(rule.rule().name(), mode, detail,
                Violation.excerptOf(input.duplicate().limit(to).position(from))));
    }

    /** Where the bytes that may be forwarded now end, when the byte at {@code at} is the one being decided. */
    private int runEnd(int at) {
        return held() > 0 ? heldStart : at;
    }

    /**
     * The held bytes are data as they came: those of this input rejoin the run, those of an
     * earlier one are sent now (nothing of this input went before them).
     */
    private void keepHeld() {
        if (heldBefore > 0) {
            send(Arrays.copyOf(heldBytes(), heldBefore));
            heldBefore = 0;
        }
    }

    /** The held bytes, and the input up to {@code resumeAt}, are replaced by {@code bytes}. */
    private void replaceHeld(int at, int resumeAt, byte[] bytes) {
        flush(runEnd(at));
        heldBefore = 0;
        send(bytes);
        runStart = resumeAt;
    }

    private byte[] heldBytes() {
        return switch (position) {
            case DOT -> DOT;
            case CR -> CR;
            case DOT_CR -> DOT_CR;
            default -> new byte[0];
        };
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
        send(bytes);
    }

    private void send(byte[] bytes) {
        if (bytes.length > 0) {
            out.sendToServer(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        }
    }
}
