package org.protowrap.validator.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.protowrap.validator.smtp.Capabilities.StartTlsLine;
import org.protowrap.validator.smtp.CommandLineReader.Line;
import org.protowrap.validator.smtp.CommandParser.Parsed;
import org.protowrap.validator.smtp.CommandParser.Refused;
import org.protowrap.validator.smtp.CommandParser.SmtpCommand;
import org.protowrap.validator.smtp.CommandPolicy.Refusal;
import org.protowrap.validator.smtp.ReplyQueue.Awaited;
import org.protowrap.validator.smtp.ReplyQueue.Slot;
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
 * <p>With the wrapper's {@code tls: {mode: starttls}} it answers STARTTLS itself and asks the
 * engine for the handshake; the session then starts again before EHLO (RFC 3207 section 4.2) and
 * goes on with the decrypted bytes. Under {@code starttls: passthrough} it cannot see inside TLS:
 * after the server's 220 it hands the connection over to raw relaying.
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

    /** TLS with the client, when the wrapper answers STARTTLS itself. */
    private enum Tls {
        /** Plain text. */
        PLAIN,
        /** STARTTLS accepted, its 220 queued: any client byte now is plaintext injected (CVE-2011-0411). */
        REQUESTED,
        /** The 220 went out and the engine was told to handshake: bytes still in this read are plaintext too. */
        STARTED,
        /** The client's bytes come from inside TLS. */
        ACTIVE
    }

    /** The mail transaction as the commands forwarded so far make it, corrected by the replies. */
    private enum MailState { NONE, PENDING, ACCEPTED }

    private static final int HELD_LIMIT = 64 * 1024;
    private static final int MAX_OUTSTANDING = 500;

    private final SmtpSettings settings;
    private final ReplyQueue replies = new ReplyQueue();
    private final CommandPolicy policy;
    private final ReplyReader replyReader = new ReplyReader();
    private final CommandLineReader lineReader;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    private Phase phase = Phase.COMMANDS;
    private Tls tls = Tls.PLAIN;
    /** Whether plaintext after STARTTLS was reported: once is enough under a relaxed rule. */
    private boolean injectionReported;
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
    /** The domain of the sender of the transaction's MAIL, for the log; {@code <>} for the null sender. */
    private String senderDomain = "";
    /** The octets of every message the server accepted. */
    private long octetsAccepted;

    SmtpSession(SmtpSettings settings) {
        this.settings = settings;
        this.policy = new CommandPolicy(this, settings);
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
        if (tls == Tls.STARTED) {
            // the engine reads nothing in plain text once told to handshake: these bytes came through TLS
            tls = Tls.ACTIVE;
            out.describe("tls", "yes");
        }
        if (held.size() > 0) {
            early(data, out);
        } else {
            read(data, out);
        }
        data.position(data.limit());
        // a 220 to STARTTLS waits for the end of the read: anything after it in the read is refused first
        releaseLocalReplies(out);
        endIfDrainedNow(out);
        updateTimers(out);
    }

    /** Reads client bytes in the current phase until they are used up or the client must wait. */
    private void read(ByteBuffer data, Decisions out) {
        while (data.hasRemaining()) {
            if ((tls == Tls.REQUESTED || tls == Tls.STARTED) && phase != Phase.CLOSED) {
                injectedAfterStartTls(data, out);
                return;
            }
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
        return replies.size() >= MAX_OUTSTANDING || replies.syncOutstanding();
    }

    private boolean pipelining() {
        return capabilities.has(Extension.PIPELINING);
    }

    /** Bytes the client sent while it had to wait for a reply. */
    private void early(ByteBuffer data, Decisions out) {
        SmtpRule rule = replies.awaiting(Awaited.GREETING) ? SmtpRule.PREGREET
                : pipelining() ? SmtpRule.PIPELINING_SYNC_POINT : SmtpRule.PIPELINING_UNADVERTISED;
        RuleMode mode = settings.mode(rule);
        if (held.size() == 0 && mode != RuleMode.OFF) {
            out.report(new Violation(rule.rule().name(), mode, earlyDetail(rule), earlyExcerpt(data)));
        }
        if (mode == RuleMode.ENFORCE) {
            closeWith(Replies.protocolError(earlyDetail(rule)), out);
        } else if (held.size() + data.remaining() > HELD_LIMIT) {
            closeWith(Replies.protocolError("too much sent before the reply"), out);
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
        if (replies.awaiting(Awaited.AUTH) || replies.awaiting(Awaited.AUTH_LINE)) {
            return "***";
        }
        byte[] bytes = new byte[Math.min(data.remaining(), Violation.EXCERPT_BYTES)];
        data.get(data.position(), bytes);
        return Redaction.excerpt(bytes, bytes.length);
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
            refuse(Replies.LINE_TOO_LONG, out);
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
            refuse(Replies.COMMAND_BARE_CR, out);
            return;
        }
        if (line.bareLf() && applies(SmtpRule.COMMAND_BARE_LF, "command line ends in a bare LF", excerpt, out)) {
            refuse(Replies.COMMAND_BARE_LF, out);
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
        if (enforced || answeredHere(refused.verb())) {
            refuse(refused.reply(), out);
        } else {
            forward(refused.verb(), Optional.empty(), line, out);
        }
        if (unknown) {
            unknownCommands++;
            limit(unknownCommands, settings.maxUnknownCommands(), SmtpRule.JUNK_LIMIT, Replies.TOO_MANY_UNRECOGNIZED, out);
        }
    }

    private void checkAndForward(SmtpCommand command, Line line, Supplier<String> excerpt, Decisions out) {
        if (draining && !inTransaction() && command.verb() != Verb.QUIT) {
            // no new transaction once draining: RFC 5321 section 3.8 lets any command be answered 421
            endAfterQueuedReplies(Replies.DRAINING, out);
            return;
        }
        for (Refusal refusal : policy.check(command)) {
            if (applies(refusal.rule(), refusal.detail(), excerpt, out)) {
                refuseCommand(command, refusal, out);
                return;
            }
        }
        if (answeredHere(Optional.of(command.verb()))) {
            if (tlsRequested()) {
                // even with the rule relaxed: TLS cannot start twice
                refuse(Replies.badSequence("TLS already active"), out);
            } else {
                answerStartTls(out);
            }
            return;
        }
        forward(Optional.of(command.verb()), Optional.of(command), line, out);
    }

    /** Whether this is STARTTLS the wrapper answers: it never goes to the server, whatever a rule says. */
    private boolean answeredHere(Optional<Verb> verb) {
        return verb.filter(v -> v == Verb.STARTTLS).isPresent() && settings.starttls() == StartTls.TERMINATE;
    }

    /**
     * STARTTLS is the wrapper's to answer: its 220 takes the command's place in the queue and
     * goes out at the end of the read, once nothing followed it (RFC 3207 section 4.2: the
     * client must wait for it). The server never sees this STARTTLS.
     */
    private void answerStartTls(Decisions out) {
        replies.add(Slot.startTls());
        tls = Tls.REQUESTED;
        injectionReported = false;
    }

    /**
     * Client bytes after STARTTLS, before the handshake, were sent in plain text: they must never
     * be read as if they came from inside TLS. Enforced, the session ends; relaxed, they are
     * dropped and the handshake goes on.
     */
    private void injectedAfterStartTls(ByteBuffer data, Decisions out) {
        byte[] bytes = new byte[Math.min(data.remaining(), Violation.EXCERPT_BYTES)];
        data.get(data.position(), bytes);
        data.position(data.limit());
        if (injectionReported) {
            return;
        }
        injectionReported = true;
        if (applies(SmtpRule.STARTTLS_INJECTION, "plaintext sent after STARTTLS before the handshake",
                () -> Redaction.excerpt(bytes, bytes.length), out)) {
            closeWith(Replies.protocolError("data sent after STARTTLS before the handshake"), out);
        }
    }

    /**
     * The 220 to STARTTLS is out: the engine handshakes before it reads again. The session starts
     * again as after the greeting (RFC 3207 section 4.2): the client must say EHLO anew, which
     * goes on to the server.
     */
    private void beginTls(Decisions out) {
        out.startTls();
        tls = Tls.STARTED;
        greeted = false;
        capabilities = Capabilities.NONE;
        newTransaction();
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
        long messageSize = last ? chunkedSize + command.orElseThrow().chunkSize() : 0;
        replies.add(Slot.messageEnd(awaited, sync, transaction, messageSize));
        switch (verb.orElse(Verb.NOOP)) {
            case HELO, EHLO -> {
                newTransaction();
                command.ifPresent(c -> out.describe("helo", c.argument()));
            }
            case RSET -> newTransaction();
            case MAIL -> {
                mail = MailState.PENDING;
                senderDomain = command.flatMap(SmtpCommand::path).map(SmtpSession::domainOf).orElse("");
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

    /** The sender's domain only: the local part names a person and stays out of the log. */
    private static String domainOf(MailboxGrammar.Address sender) {
        return sender.equals(MailboxGrammar.Address.NULL) ? "<>" : sender.domain();
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
                replies.add(Slot.messageEnd(Awaited.MESSAGE_END, !pipelining(), transaction, dataPhase.size()));
                enter(Phase.COMMANDS);
            }
            case REFUSED -> endAbruptly(Replies.messageRefused(result.rule().orElseThrow(), settings.maxTextLineLength()), out);
        }
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
        byte[] bytes = Replies.bytes(reply);
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
        limit(errors, settings.maxErrors(), SmtpRule.ERROR_LIMIT, Replies.TOO_MANY_ERRORS, out);
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
        while (replies.localReplyFirst() && phase != Phase.CLOSED) {
            Slot slot = replies.pollFirst();
            if (slot.startsTls() && held.size() > 0) {
                injectedAfterStartTls(ByteBuffer.wrap(held.toByteArray()), out);
                held.reset();
                if (phase == Phase.CLOSED) {
                    return;
                }
            }
            describeReply(slot.localReply(), out);
            out.sendToClient(ByteBuffer.wrap(slot.localReply()));
            if (slot.startsTls()) {
                beginTls(out);
            }
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
            limit(errors, settings.maxErrors(), SmtpRule.ERROR_LIMIT, Replies.TOO_MANY_ERRORS, out);
        }
        releaseHeld(out);
        // a STARTTLS read from what was held: its 220 goes out now that the held bytes are read
        releaseLocalReplies(out);
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
                    capabilities = Capabilities.of(reply.texts(), startTlsLine(), settings.maxMessageSize());
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
                if (current && ok && !senderDomain.isEmpty()) {
                    out.describe("from", senderDomain);
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
                    out.describe("size", Long.toString(octetsAccepted += slot.messageSize()));
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

    private StartTlsLine startTlsLine() {
        return switch (settings.starttls()) {
            case TERMINATE -> tls == Tls.PLAIN ? StartTlsLine.OFFER : StartTlsLine.HIDE;
            case PASSTHROUGH -> StartTlsLine.RELAY;
            case DENY -> settings.mode(SmtpRule.STARTTLS_DENIED) == RuleMode.ENFORCE ? StartTlsLine.HIDE : StartTlsLine.RELAY;
        };
    }

    /** Whether TLS with the client was asked for, begun or is on: STARTTLS may not come again. */
    boolean tlsRequested() {
        return tls != Tls.PLAIN;
    }

    /** The server accepted STARTTLS: what follows is TLS, relayed raw. */
    private void startTls(Reply reply, ByteBuffer rest, Decisions out) {
        if (held.size() > 0) {
            String excerpt = Redaction.excerpt(held.toByteArray(), Math.min(held.size(), Violation.EXCERPT_BYTES));
            if (applies(SmtpRule.STARTTLS_INJECTION, "plaintext sent after STARTTLS before the reply", excerpt, out)) {
                endAbruptly(Replies.protocolError("data sent after STARTTLS before the reply"), out);
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
            endAbruptly(Replies.INVALID_SERVER_REPLY, out);
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
        if (out.describes()) {
            out.describe("reply", new String(reply, 0, Math.min(3, reply.length), StandardCharsets.US_ASCII));
        }
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
        int owed = replies.owedByServer();
        boolean messageEndOwed = replies.awaiting(Awaited.MESSAGE_END) || replies.awaiting(Awaited.BDAT_LAST);
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
            closeWith(Replies.DRAINING, out);
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
