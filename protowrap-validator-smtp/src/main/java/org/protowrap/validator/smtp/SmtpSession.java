package org.protowrap.validator.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Set;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.validator.smtp.CommandLineReader.Line;
import org.protowrap.validator.smtp.CommandParser.Parsed;
import org.protowrap.validator.smtp.CommandParser.Refused;
import org.protowrap.validator.smtp.CommandParser.SmtpCommand;
import org.protowrap.validator.smtp.CommandPolicy.Refusal;
import org.protowrap.validator.smtp.ReplyReader.Reply;
import org.protowrap.validator.smtp.SmtpSettings.StartTls;

/**
 * One SMTP connection, both directions. Client bytes are framed into command lines, message
 * data (after the server's {@code 354}), BDAT chunks (counted) and AUTH exchange lines; each
 * unit is forwarded only once accepted. Server replies are framed, matched in order with the
 * commands they answer, and decide what was accepted.
 *
 * <p>Every reply the client will get is a slot in one queue, in the order of the commands: a
 * forwarded command's slot is filled by the server's reply, a refused command's slot holds the
 * wrapper's own reply, which is released only when every reply before it has been sent. So
 * with pipelining the client sees its replies in order.
 *
 * <p>A client must wait for the replies to commands that end a pipelined group (all commands
 * without PIPELINING, and the greeting). Bytes sent while it should wait are refused, or in
 * {@code log} and {@code off} mode held (bounded) and read once the replies have come.
 *
 * <p>It cannot see inside TLS: after STARTTLS in passthrough mode it hands the connection over
 * to raw relaying.
 */
final class SmtpSession implements ValidatorSession {

    /** How client bytes are read. The allowed transitions are in {@link #ALLOWED}. */
    enum Phase {
        /** Command lines. */
        COMMANDS,
        /** An AUTH exchange line, after the server's {@code 334}. */
        AUTH_LINE,
        /** Message data after the server's {@code 354}. */
        MESSAGE_DATA,
        /** The octets of a BDAT chunk. */
        CHUNK,
        /** The session is ending: client bytes are dropped while queued replies go out. */
        DISCARD,
        /** Nothing more is done: the connection is closed or relayed raw. */
        CLOSED
    }

    private static final Map<Phase, Set<Phase>> ALLOWED = new EnumMap<>(Map.of(
            Phase.COMMANDS, EnumSet.of(Phase.AUTH_LINE, Phase.MESSAGE_DATA, Phase.CHUNK, Phase.DISCARD, Phase.CLOSED),
            Phase.AUTH_LINE, EnumSet.of(Phase.COMMANDS, Phase.DISCARD, Phase.CLOSED),
            Phase.MESSAGE_DATA, EnumSet.of(Phase.COMMANDS, Phase.DISCARD, Phase.CLOSED),
            Phase.CHUNK, EnumSet.of(Phase.COMMANDS, Phase.DISCARD, Phase.CLOSED),
            Phase.DISCARD, EnumSet.of(Phase.CLOSED),
            Phase.CLOSED, EnumSet.noneOf(Phase.class)));

    /** What a reply slot waits for. */
    private enum Awaited {
        GREETING, HELO, EHLO, MAIL, RCPT, DATA, MESSAGE_END, BDAT, BDAT_LAST, RSET, QUIT, STARTTLS, AUTH, AUTH_LINE, OTHER,
        /** The wrapper's own reply, released when it reaches the head of the queue. */
        LOCAL
    }

    /** A slot in the reply queue. */
    private record Slot(Awaited awaited, boolean sync, long transaction, byte[] localReply, boolean closeAfter) {
        static Slot server(Awaited awaited, boolean sync, long transaction) {
            return new Slot(awaited, sync, transaction, new byte[0], false);
        }

        static Slot local(String reply, boolean closeAfter) {
            return new Slot(Awaited.LOCAL, false, 0, (reply + "\r\n").getBytes(StandardCharsets.US_ASCII), closeAfter);
        }
    }

    /** The mail transaction as the commands forwarded so far make it, corrected by the replies. */
    private enum MailState { NONE, PENDING, ACCEPTED }

    private static final int HELD_LIMIT = 64 * 1024;
    private static final int MAX_OUTSTANDING = 500;
    private static final String PROTOCOL_ERROR = "554 5.5.0 Protocol error: ";
    private static final String DRAIN_REPLY = "421 4.3.2 Service shutting down, closing transmission channel";

    private final SmtpSettings settings;
    private final Deque<Slot> replies = new ArrayDeque<>();
    private final ReplyReader replyReader = new ReplyReader();
    private final CommandLineReader lineReader;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    private Phase phase = Phase.COMMANDS;
    private Capabilities capabilities = Capabilities.NONE;
    private boolean greeted;
    private boolean authenticated;
    private int errors;
    private int unknownCommands;
    /** Whether the command line being read was refused before its end came. */
    private boolean lineRefused;
    /** Whether a unit timed by the engine's requestTimeout is open: a command line, or a transaction's commands. */
    private boolean unitOpen;
    /** Whether the engine was told that the server owes a reply. */
    private boolean awaitingServer;
    /** Whether the session is to end at the next point between transactions. */
    private boolean draining;

    private long transaction;
    private MailState mail = MailState.NONE;
    private int recipients;
    private boolean smtpUtf8;
    /** Whether DATA or BDAT went to the server in this transaction: its command phase is over. */
    private boolean messageStarted;
    private boolean chunked;
    private long chunkedSize;

    private DataPhase dataPhase;
    private long chunkRemaining;
    private boolean chunkForwarded;
    private long messagesEnded;
    private long messagesAccepted;
    private long recipientsAccepted;

    SmtpSession(SmtpSettings settings) {
        this.settings = settings;
        this.lineReader = new CommandLineReader(
                Math.max(settings.maxCommandLineLength(), SmtpSettings.MAX_AUTH_LINE_LENGTH) - 2);
        replies.add(Slot.server(Awaited.GREETING, true, 0));
    }

    /** How many messages ended with an end-of-data line or BDAT LAST forwarded to the server. */
    long messagesEnded() {
        return messagesEnded;
    }

    Phase phase() {
        return phase;
    }

    private void enter(Phase next) {
        if (next != phase && !ALLOWED.get(phase).contains(next)) {
            throw new IllegalStateException("SMTP session cannot go from " + phase + " to " + next);
        }
        phase = next;
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void onStart(Decisions out) {
        // the server owes the greeting
        updateTimers(out);
    }

    @Override
    public void onClientData(ByteBuffer data, Decisions out) {
        if (held.size() > 0) {
            early(data, out);
        } else {
            read(data, out);
        }
        data.position(data.limit());
        endIfDrainedNow(out);
        updateTimers(out);
    }

    /** Reads client bytes in the current phase until they are used up or the client must wait. */
    private void read(ByteBuffer data, Decisions out) {
        while (data.hasRemaining()) {
            switch (phase) {
                case COMMANDS, AUTH_LINE -> {
                    if (mustWait() && !lineReader.inLine()) {
                        early(data, out);
                        return;
                    }
                    startUnit(out);
                    Optional<Line> line = lineReader.next(data);
                    if (line.isPresent()) {
                        onLine(line.get(), out);
                        completeUnitUnlessInTransaction(out);
                    } else if (phase == Phase.COMMANDS && !lineRefused) {
                        refuseEarlyIfTooLong(lineReader.partial(), out);
                    }
                }
                case MESSAGE_DATA -> messageData(data, out);
                case CHUNK -> chunk(data, out);
                case DISCARD, CLOSED -> data.position(data.limit());
            }
        }
    }

    /**
     * Whether a reply the client must wait for is outstanding, or so many replies are that the
     * queue would grow without bound (RFC 2920 lets a server limit a group's size).
     */
    private boolean mustWait() {
        return replies.size() >= MAX_OUTSTANDING || replies.stream().anyMatch(Slot::sync);
    }

    private boolean pipelining() {
        return capabilities.has(Extension.PIPELINING);
    }

    /** Bytes the client sent while it had to wait for a reply. */
    private void early(ByteBuffer data, Decisions out) {
        SmtpRule rule = awaiting(Awaited.GREETING) ? SmtpRule.PREGREET
                : pipelining() ? SmtpRule.PIPELINING_SYNC_POINT : SmtpRule.PIPELINING_UNADVERTISED;
        RuleMode mode = settings.mode(rule);
        if (held.size() == 0 && mode != RuleMode.OFF) {
            out.report(new Violation(rule.rule().name(), mode, earlyDetail(rule), earlyExcerpt(data)));
        }
        if (mode == RuleMode.ENFORCE) {
            closeWith(PROTOCOL_ERROR + earlyDetail(rule), out);
        } else if (held.size() + data.remaining() > HELD_LIMIT) {
            closeWith(PROTOCOL_ERROR + "too much sent before the reply", out);
        } else {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            held.writeBytes(bytes);
        }
        data.position(data.limit());
    }

    private static String earlyDetail(SmtpRule rule) {
        return rule == SmtpRule.PREGREET ? "client sent data before the greeting"
                : "command sent before the reply to the previous one";
    }

    /** An excerpt of early bytes; an AUTH exchange in flight is never shown. */
    private String earlyExcerpt(ByteBuffer data) {
        if (awaiting(Awaited.AUTH) || awaiting(Awaited.AUTH_LINE)) {
            return "***";
        }
        byte[] bytes = new byte[Math.min(data.remaining(), Violation.EXCERPT_BYTES)];
        data.get(data.position(), bytes);
        return Redaction.excerpt(bytes, bytes.length);
    }

    private boolean awaiting(Awaited awaited) {
        return replies.stream().anyMatch(s -> s.awaited() == awaited);
    }

    /** Reads what was held back once the client no longer has to wait. */
    private void releaseHeld(Decisions out) {
        while (held.size() > 0 && !mustWait() && phase != Phase.CLOSED && phase != Phase.DISCARD) {
            ByteBuffer bytes = ByteBuffer.wrap(held.toByteArray());
            held.reset();
            read(bytes, out);
        }
    }

    /**
     * A command line already longer than its limit is refused before its end comes, so that a
     * client cannot hold a slot with a line that will never be accepted; the rest of it, up to
     * its line end, is dropped.
     */
    private void refuseEarlyIfTooLong(Line partial, Decisions out) {
        int limit = commandLimit(partial);
        if (!partial.overflowed() && partial.octetsWithCrlf() <= limit) {
            return;
        }
        RuleMode mode = settings.mode(SmtpRule.COMMAND_TOO_LONG);
        // under log or off the line is judged when it is complete, and forwarded if it was kept whole
        if (mode == RuleMode.ENFORCE || partial.overflowed()) {
            lineRefused = true;
            tooLong(partial, limit, out);
        }
    }

    private int commandLimit(Line line) {
        return line.startsWithIgnoreCase("AUTH ") ? SmtpSettings.MAX_AUTH_LINE_LENGTH : settings.maxCommandLineLength();
    }

    /** Reports a line over {@code limit}; refuses it if enforced or not kept whole; returns whether refused. */
    private boolean tooLong(Line line, int limit, Decisions out) {
        boolean enforced = applies(SmtpRule.COMMAND_TOO_LONG, "command line longer than " + limit + " octets",
                () -> Redaction.excerpt(line.bytes(), line.length()), out);
        // A line longer than the reader keeps was not kept whole: it cannot be forwarded.
        if (enforced || line.overflowed()) {
            refuse("500 5.5.2 Line too long", out);
            return true;
        }
        return false;
    }

    private void onLine(Line line, Decisions out) {
        if (lineRefused) {
            // its end: the line was refused when it passed its limit
            lineRefused = false;
            return;
        }
        if (phase == Phase.AUTH_LINE) {
            authLine(line, out);
        } else {
            commandLine(line, out);
        }
    }

    private void commandLine(Line line, Decisions out) {
        // built only for a report: most lines break no rule
        Supplier<String> excerpt = () -> Redaction.excerpt(line.bytes(), line.length());
        int limit = commandLimit(line);
        if ((line.overflowed() || line.octetsWithCrlf() > limit) && tooLong(line, limit, out)) {
            return;
        }
        if (line.bareCr() && applies(SmtpRule.COMMAND_BARE_CR, "bare CR in a command line", excerpt, out)) {
            refuse("500 5.5.2 Syntax error, bare CR in a command line", out);
            return;
        }
        if (line.bareLf() && applies(SmtpRule.COMMAND_BARE_LF, "command line ends in a bare LF", excerpt, out)) {
            refuse("500 5.5.2 Syntax error, command lines end in CRLF", out);
            return;
        }
        Parsed parsed = CommandParser.parse(line.bytes(), line.length(), capabilities.has(Extension.SMTPUTF8));
        switch (parsed) {
            case Refused refused -> refusedByGrammar(refused, line, excerpt, out);
            case SmtpCommand command -> checkAndForward(command, line, excerpt, out);
        }
    }

    /**
     * Reports a match of {@code rule}. Returns whether it is enforced; a rule that is off is
     * neither reported nor enforced.
     */
    private boolean applies(SmtpRule rule, String detail, String excerpt, Decisions out) {
        return applies(rule, detail, () -> excerpt, out);
    }

    private boolean applies(SmtpRule rule, String detail, Supplier<String> excerpt, Decisions out) {
        RuleMode mode = settings.mode(rule);
        if (mode != RuleMode.OFF) {
            out.report(new Violation(rule.rule().name(), mode, detail, excerpt.get()));
        }
        return mode == RuleMode.ENFORCE;
    }

    private void refusedByGrammar(Refused refused, Line line, Supplier<String> excerpt, Decisions out) {
        boolean unknown = refused.rule() == SmtpRule.COMMAND_UNKNOWN;
        boolean bdat = refused.verb().filter(v -> v == Verb.BDAT).isPresent();
        boolean enforced = applies(refused.rule(), refused.detail(), excerpt, out);
        if (bdat) {
            // Without a valid size nobody knows where the chunk ends: the session cannot go on.
            if (!enforced) {
                out.report(new Violation(SmtpRule.COMMAND_SYNTAX.rule().name(), RuleMode.ENFORCE, refused.detail(), excerpt.get()));
            }
            closeWith(refused.reply(), out);
            return;
        }
        if (enforced) {
            refuse(refused.reply(), out);
        } else {
            forward(refused.verb(), Optional.empty(), line, out);
        }
        if (unknown) {
            unknownCommands++;
            limit(unknownCommands, settings.maxUnknownCommands(), SmtpRule.JUNK_LIMIT,
                    "421 4.7.0 Too many unrecognized commands, closing connection", out);
        }
    }

    private void checkAndForward(SmtpCommand command, Line line, Supplier<String> excerpt, Decisions out) {
        if (draining && !inTransaction() && command.verb() != Verb.QUIT) {
            // no new transaction once draining: RFC 5321 section 3.8 lets any command be answered 421
            endAfterQueuedReplies(DRAIN_REPLY, out);
            return;
        }
        for (Refusal refusal : new CommandPolicy(this).check(command)) {
            if (applies(refusal.rule(), refusal.detail(), excerpt, out)) {
                refuseCommand(command, refusal, out);
                return;
            }
        }
        forward(Optional.of(command.verb()), Optional.of(command), line, out);
    }

    private void refuseCommand(SmtpCommand command, Refusal refusal, Decisions out) {
        if (command.verb() != Verb.BDAT) {
            refuse(refusal.reply(), out);
        } else if (refusal.rule() == SmtpRule.MESSAGE_TOO_BIG) {
            // The server holds the earlier chunks: it must never see a LAST for this message.
            endAbruptly(refusal.reply(), out);
        } else {
            refuse(refusal.reply(), out);
            startChunk(command.chunkSize(), false);
        }
    }

    /** Forwards an accepted line, opens its reply slot and applies what it does to the state. */
    private void forward(Optional<Verb> verb, Optional<SmtpCommand> command, Line line, Decisions out) {
        sendLine(line, verb.filter(v -> v == Verb.AUTH).isPresent(), out);
        // A command the wrapper could not parse may do anything: the client waits for its reply.
        // BDAT, LAST or not, is no point where a pipelining client must wait (RFC 2920 section
        // 3.1 does not list it, RFC 3030 lets chunks be pipelined): Exim sends QUIT right after
        // the last chunk.
        boolean sync = verb.map(Verb::endsPipelinedGroup).orElse(true) || !pipelining();
        boolean last = command.map(SmtpCommand::last).orElse(false);
        Awaited awaited = last ? Awaited.BDAT_LAST : verb.map(SmtpSession::awaited).orElse(Awaited.OTHER);
        if (verb.filter(v -> v == Verb.MAIL).isPresent()) {
            // The reply to MAIL belongs to the transaction MAIL opens.
            newTransaction();
        }
        replies.add(Slot.server(awaited, sync, transaction));
        switch (verb.orElse(Verb.NOOP)) {
            case HELO, EHLO -> {
                newTransaction();
                command.ifPresent(c -> out.describe("helo", c.argument()));
            }
            case RSET -> newTransaction();
            case MAIL -> {
                mail = MailState.PENDING;
                smtpUtf8 = command.map(c -> c.params().containsKey("SMTPUTF8")).orElse(false);
            }
            case DATA -> messageStarted = true;
            case RCPT -> recipients++;
            case BDAT -> command.ifPresent(c -> bdatForwarded(c));
            default -> { }
        }
    }

    /** Forwards a line with CRLF, whatever line end it came with; an AUTH line as credentials. */
    private static void sendLine(Line line, boolean credentials, Decisions out) {
        byte[] bytes = new byte[line.length() + 2];
        System.arraycopy(line.bytes(), 0, bytes, 0, line.length());
        bytes[line.length()] = '\r';
        bytes[line.length() + 1] = '\n';
        if (credentials) {
            out.sendCredentialsToServer(ByteBuffer.wrap(bytes));
        } else {
            out.sendToServer(ByteBuffer.wrap(bytes));
        }
    }

    private static Awaited awaited(Verb verb) {
        return switch (verb) {
            case HELO -> Awaited.HELO;
            case EHLO -> Awaited.EHLO;
            case MAIL -> Awaited.MAIL;
            case RCPT -> Awaited.RCPT;
            case DATA -> Awaited.DATA;
            case BDAT -> Awaited.BDAT;
            case RSET -> Awaited.RSET;
            case QUIT -> Awaited.QUIT;
            case STARTTLS -> Awaited.STARTTLS;
            case AUTH -> Awaited.AUTH;
            default -> Awaited.OTHER;
        };
    }

    private void bdatForwarded(SmtpCommand command) {
        messageStarted = true;
        chunked = true;
        chunkedSize += command.chunkSize();
        startChunk(command.chunkSize(), true);
        if (command.last()) {
            messagesEnded++;
            newTransaction();
        }
    }

    private void startChunk(long size, boolean forwarded) {
        if (size > 0 && phase == Phase.COMMANDS) {
            chunkRemaining = size;
            chunkForwarded = forwarded;
            enter(Phase.CHUNK);
        }
    }

    private void newTransaction() {
        transaction++;
        mail = MailState.NONE;
        recipients = 0;
        smtpUtf8 = false;
        messageStarted = false;
        chunked = false;
        chunkedSize = 0;
    }

    private void chunk(ByteBuffer data, Decisions out) {
        int n = (int) Math.min(chunkRemaining, data.remaining());
        if (chunkForwarded) {
            out.sendToServer(data.slice(data.position(), n));
        }
        data.position(data.position() + n);
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            enter(Phase.COMMANDS);
        }
    }

    private void messageData(ByteBuffer data, Decisions out) {
        DataPhase.Result result = dataPhase.feed(data, out);
        switch (result.status()) {
            case MORE -> { }
            case END -> {
                messagesEnded++;
                newTransaction();
                replies.add(Slot.server(Awaited.MESSAGE_END, !pipelining(), transaction));
                enter(Phase.COMMANDS);
            }
            case REFUSED -> endAbruptly(messageRefusal(result.rule().orElseThrow()), out);
        }
    }

    private String messageRefusal(SmtpRule rule) {
        return switch (rule) {
            case MESSAGE_TOO_BIG -> "552 5.3.4 Message size exceeds fixed maximum message size";
            case DATA_LINE_TOO_LONG -> "554 5.6.0 Message refused: text line longer than "
                    + settings.maxTextLineLength() + " octets";
            case DATA_NUL -> "554 5.6.0 Message refused: NUL in message data";
            case DATA_BARE_LF, DATA_BARE_CR ->
                    "554 5.5.2 Message refused: bare CR or LF in message data, lines must end in CRLF";
            default -> "554 5.6.0 Message refused";
        };
    }

    /**
     * A message the server has partly received must never be completed: drop the server
     * connection before anything more reaches it, tell the client, and close.
     */
    private void endAbruptly(String reply, Decisions out) {
        out.abortServer();
        closeWith(reply, out);
    }

    private void closeWith(String reply, Decisions out) {
        byte[] bytes = (reply + "\r\n").getBytes(StandardCharsets.US_ASCII);
        describeReply(bytes, out);
        out.sendToClient(ByteBuffer.wrap(bytes));
        out.close();
        held.reset();
        replies.clear();
        enter(Phase.CLOSED);
    }

    private void authLine(Line line, Decisions out) {
        String text = new String(line.bytes(), 0, line.length(), StandardCharsets.ISO_8859_1);
        boolean wellFormed = !line.overflowed() && !line.bareLf() && !line.bareCr()
                && line.octetsWithCrlf() <= SmtpSettings.MAX_AUTH_LINE_LENGTH
                && (text.equals("*") || MailboxGrammar.isBase64(text));
        enter(Phase.COMMANDS);
        if (!wellFormed && applies(SmtpRule.AUTH_RESPONSE, "AUTH exchange line is not base64", "***", out)) {
            // Cancel the exchange (RFC 4954 section 4): the server answers, and the client gets that answer.
            line = new Line(new byte[] {'*'}, 1, false, false, false);
        }
        sendLine(line, true, out);
        replies.add(Slot.server(Awaited.AUTH_LINE, true, transaction));
    }

    /**
     * The wrapper refuses a command itself: its reply takes the command's place in the queue. A
     * refusal with a positive code (252 to VRFY) is no error and is not counted as one.
     */
    private void refuse(String reply, Decisions out) {
        replies.add(Slot.local(reply, false));
        releaseLocalReplies(out);
        if (reply.charAt(0) == '2') {
            return;
        }
        errors++;
        limit(errors, settings.maxErrors(), SmtpRule.ERROR_LIMIT, "421 4.7.0 Too many errors, closing connection", out);
    }

    /** Ends the session, after the replies already queued, once {@code count} reaches {@code max}. */
    private void limit(int count, int max, SmtpRule rule, String reply, Decisions out) {
        if (count != max || phase == Phase.CLOSED || phase == Phase.DISCARD) {
            return;
        }
        if (applies(rule, count + " reached the limit of " + max, "", out)) {
            if (phase == Phase.CHUNK || phase == Phase.MESSAGE_DATA) {
                // The server is inside a message whose end will never come: do not wait for it.
                endAbruptly(reply, out);
                return;
            }
            endAfterQueuedReplies(reply, out);
        }
    }

    /** Ends the session with {@code reply}, once the replies already queued have gone out. */
    private void endAfterQueuedReplies(String reply, Decisions out) {
        replies.add(Slot.local(reply, true));
        held.reset();
        enter(Phase.DISCARD);
        releaseLocalReplies(out);
    }

    private void releaseLocalReplies(Decisions out) {
        while (!replies.isEmpty() && replies.peekFirst().awaited() == Awaited.LOCAL) {
            Slot slot = replies.pollFirst();
            describeReply(slot.localReply(), out);
            out.sendToClient(ByteBuffer.wrap(slot.localReply()));
            if (slot.closeAfter()) {
                out.close();
                replies.clear();
                enter(Phase.CLOSED);
            }
        }
    }

    // ---------------------------------------------------------------- server side

    @Override
    public void onServerData(ByteBuffer data, Decisions out) {
        while (data.hasRemaining() && phase != Phase.CLOSED) {
            Optional<Reply> reply = replyReader.next(data);
            if (reply.isPresent()) {
                onReply(reply.get(), data, out);
            } else if (replyReader.failure().isPresent()) {
                malformedReply(data, out);
            }
        }
        data.position(data.limit());
        endIfDrainedNow(out);
        updateTimers(out);
    }

    private void onReply(Reply reply, ByteBuffer rest, Decisions out) {
        Slot slot = replies.pollFirst();
        if (slot == null) {
            // Unsolicited, such as a 421 before the server closes: the client should see it.
            out.sendToClient(ByteBuffer.wrap(reply.raw()));
            return;
        }
        if (slot.awaited() == Awaited.STARTTLS && reply.code() == 220) {
            startTls(reply, rest, out);
            return;
        }
        out.sendToClient(ByteBuffer.wrap(apply(slot, reply, out)));
        if (slot.awaited() == Awaited.QUIT && reply.code() == 221) {
            // the server closes after 221 (RFC 5321 4.1.1.10): the wrapper closes too, rather
            // than wait to read the end of either side
            out.close();
            replies.clear();
            enter(Phase.CLOSED);
            return;
        }
        releaseLocalReplies(out);
        if (reply.error() && slot.awaited() != Awaited.GREETING) {
            errors++;
            limit(errors, settings.maxErrors(), SmtpRule.ERROR_LIMIT, "421 4.7.0 Too many errors, closing connection", out);
        }
        releaseHeld(out);
    }

    /** What a reply does to the session; returns the bytes the client gets. */
    private byte[] apply(Slot slot, Reply reply, Decisions out) {
        describeReply(reply.raw(), out);
        boolean current = slot.transaction() == transaction;
        boolean ok = reply.positiveCompletion();
        switch (slot.awaited()) {
            case EHLO -> {
                if (ok) {
                    greeted = true;
                    capabilities = Capabilities.of(reply.texts(), hidesStartTls(), settings.maxMessageSize());
                    return capabilities.reply(reply.code());
                }
            }
            case HELO -> {
                if (ok) {
                    greeted = true;
                    capabilities = Capabilities.NONE;
                }
            }
            case MAIL -> {
                if (current) {
                    mail = ok ? MailState.ACCEPTED : MailState.NONE;
                }
            }
            case RCPT -> {
                if (current && !ok) {
                    recipients--;
                }
                if (ok) {
                    out.describe("rcpts", Long.toString(++recipientsAccepted));
                }
            }
            case MESSAGE_END, BDAT_LAST -> {
                if (ok) {
                    out.describe("messages", Long.toString(++messagesAccepted));
                }
            }
            case QUIT -> {
                if (ok && phase == Phase.COMMANDS) {
                    enter(Phase.DISCARD);
                }
            }
            case AUTH, AUTH_LINE -> authenticated |= reply.code() == 235;
            default -> { }
        }
        followServer(slot, reply.code());
        return reply.raw();
    }

    /**
     * The server says what it reads next. Whatever the command was (even one the wrapper let
     * through unparsed, under a relaxed rule), after 354 it reads message data and after 334 an
     * AUTH line, and so must the wrapper.
     */
    private void followServer(Slot slot, int code) {
        if (phase != Phase.COMMANDS) {
            return;
        }
        if (code == 354) {
            dataPhase = new DataPhase(settings);
            enter(Phase.MESSAGE_DATA);
        } else if (code == 334 && slot.awaited() != Awaited.GREETING) {
            enter(Phase.AUTH_LINE);
        }
    }

    private boolean hidesStartTls() {
        return settings.starttls() == StartTls.DENY && settings.mode(SmtpRule.STARTTLS_DENIED) == RuleMode.ENFORCE;
    }

    /** The server accepted STARTTLS: what follows is TLS, relayed raw. */
    private void startTls(Reply reply, ByteBuffer rest, Decisions out) {
        if (held.size() > 0) {
            String excerpt = Redaction.excerpt(held.toByteArray(), Math.min(held.size(), Violation.EXCERPT_BYTES));
            if (applies(SmtpRule.STARTTLS_INJECTION, "plaintext sent after STARTTLS before the reply", excerpt, out)) {
                endAbruptly(PROTOCOL_ERROR + "data sent after STARTTLS before the reply", out);
                return;
            }
            // not parsed: it may hold an AUTH line
            out.sendCredentialsToServer(ByteBuffer.wrap(held.toByteArray()));
            held.reset();
        }
        out.sendToClient(ByteBuffer.wrap(reply.raw()));
        out.sendToClient(rest.slice());
        rest.position(rest.limit());
        out.relayRaw("STARTTLS accepted by the server: the rest of the session is TLS, relayed without inspection");
        replies.clear();
        enter(Phase.CLOSED);
    }

    private void malformedReply(ByteBuffer rest, Decisions out) {
        String detail = replyReader.failure().orElse("malformed reply");
        out.serverFault(detail);
        if (applies(SmtpRule.REPLY_MALFORMED, detail, "", out)) {
            endAbruptly("421 4.3.0 Service not available, the server sent an invalid reply", out);
            return;
        }
        out.sendToClient(ByteBuffer.wrap(replyReader.unread()));
        out.sendToClient(rest.slice());
        rest.position(rest.limit());
        if (held.size() > 0) {
            // not parsed: it may hold an AUTH line
            out.sendCredentialsToServer(ByteBuffer.wrap(held.toByteArray()));
            held.reset();
        }
        out.relayRaw("the server sent something that is not an SMTP reply: relayed without inspection");
        enter(Phase.CLOSED);
    }

    /** The code of the last reply the client was sent, for the connection's log line. */
    private static void describeReply(byte[] reply, Decisions out) {
        out.describe("reply", new String(reply, 0, Math.min(3, reply.length), StandardCharsets.US_ASCII));
    }

    // ---------------------------------------------------------------- timeouts and draining

    /** A command line begins (or goes on): the engine times it, and the transaction it may open. */
    private void startUnit(Decisions out) {
        if (!unitOpen) {
            unitOpen = true;
            out.clientUnitStarted();
        }
    }

    /**
     * Closes the timed unit unless a line is half read or a mail transaction is in its command
     * phase (MAIL to DATA or BDAT), which is timed as one unit.
     */
    private void completeUnitUnlessInTransaction(Decisions out) {
        boolean reading = phase == Phase.COMMANDS || phase == Phase.AUTH_LINE;
        boolean transactionCommands = inTransaction() && !messageStarted;
        if (unitOpen && !(reading && (lineReader.inLine() || transactionCommands))) {
            unitOpen = false;
            out.clientUnitComplete();
        }
    }

    /**
     * Closes the timed unit if it is over, and tells the engine whether the server owes a reply,
     * so that its serverTimeout applies. A BDAT's reply is not owed while its chunk is still
     * coming from the client. The reply to the end of a message is not timed so: RFC 5321
     * section 4.5.3.2.6 has a client wait 10 minutes for it (content filters run then), and a
     * sender told 421 while the server goes on to accept the message would send it again.
     */
    private void updateTimers(Decisions out) {
        completeUnitUnlessInTransaction(out);
        long owed = replies.stream().filter(s -> s.awaited() != Awaited.LOCAL).count();
        boolean messageEndOwed = replies.stream()
                .anyMatch(s -> s.awaited() == Awaited.MESSAGE_END || s.awaited() == Awaited.BDAT_LAST);
        boolean awaiting = phase != Phase.CLOSED && !messageEndOwed
                && owed > (phase == Phase.CHUNK && chunkForwarded ? 1 : 0);
        if (awaiting != awaitingServer) {
            awaitingServer = awaiting;
            out.awaitingServer(awaiting);
        }
    }

    /**
     * Ends the session at once if it is between transactions; otherwise after the current one:
     * the next command that is not part of a transaction gets 421, or the session ends as soon
     * as nothing is owed either way.
     */
    @Override
    public void onDrain(Decisions out) {
        draining = true;
        endIfDrainedNow(out);
        updateTimers(out);
    }

    private void endIfDrainedNow(Decisions out) {
        if (draining && betweenTransactions()) {
            closeWith(DRAIN_REPLY, out);
        }
    }

    /** No transaction open, no line half read, no reply owed or queued, nothing held. */
    private boolean betweenTransactions() {
        return phase == Phase.COMMANDS && !inTransaction() && !lineReader.inLine() && replies.isEmpty() && held.size() == 0;
    }

    // ---------------------------------------------------------------- state the policy reads

    boolean greeted() {
        return greeted;
    }

    boolean authenticated() {
        return authenticated;
    }

    Capabilities capabilities() {
        return capabilities;
    }

    SmtpSettings settings() {
        return settings;
    }

    boolean inTransaction() {
        return mail != MailState.NONE;
    }

    int recipients() {
        return recipients;
    }

    /** Whether the MAIL of the transaction carried SMTPUTF8. */
    boolean smtpUtf8Transaction() {
        return smtpUtf8;
    }

    boolean chunked() {
        return chunked;
    }

    long chunkedSize() {
        return chunkedSize;
    }
}
