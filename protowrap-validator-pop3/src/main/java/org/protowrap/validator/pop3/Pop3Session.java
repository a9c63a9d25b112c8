package org.protowrap.validator.pop3;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.validator.pop3.CommandLineReader.Line;
import org.protowrap.validator.pop3.CommandParser.Command;
import org.protowrap.validator.pop3.CommandParser.Refused;
import org.protowrap.validator.pop3.MultiLineBody.Result;
import org.protowrap.validator.pop3.Pop3Settings.Stls;
import org.protowrap.validator.pop3.StatusLineReader.Kind;
import org.protowrap.validator.pop3.StatusLineReader.Status;

/**
 * One POP3 connection, both directions. Client bytes are framed into command lines and SASL
 * response lines; each is forwarded only once accepted, and credentials are forwarded marked as
 * such. Server responses are framed (status line, then for a multi-line response everything up
 * to the line {@code .}), matched in order with the commands they answer, and decide the state.
 *
 * <p>Every response the client will get is a slot in one queue, in command order: the server's
 * response fills a forwarded command's slot, a refused command's slot holds the wrapper's own
 * {@code -ERR}, released when every response before it has gone. A client that sends while it
 * must wait (before the greeting, after a command whose response changes the state, and after
 * every command unless the server advertised PIPELINING) is not refused: its bytes are held,
 * bounded, and read once the response has come, so the server only ever sees commands that
 * were valid in the state it is in.
 *
 * <p>When the wrapper terminates TLS ({@code tls: {mode: starttls}}), STLS is answered here and
 * never reaches the server: its {@code +OK} takes a slot in the queue like a refusal, and when it
 * is released the engine starts TLS with the client; the session then goes on with the plain
 * bytes inside. Client bytes sent after STLS before that {@code +OK} came in plain text and are
 * never read as if they came from inside TLS.
 *
 * <p>It cannot see inside TLS it does not terminate: after STLS in passthrough mode it hands the
 * connection over to raw relaying. It has no clock, so it cannot delay a response after a failed
 * login.
 */
final class Pop3Session implements ValidatorSession {

    /** How client bytes are read. The allowed transitions are in {@link #ALLOWED}. */
    enum Phase {
        /** Command lines. */
        COMMANDS,
        /** One SASL response line, after the server's {@code +} continuation. */
        SASL_RESPONSE,
        /** Nothing more is done: the connection is closed or relayed raw. */
        CLOSED
    }

    private static final Map<Phase, Set<Phase>> ALLOWED = new EnumMap<>(Map.of(
            Phase.COMMANDS, EnumSet.of(Phase.SASL_RESPONSE, Phase.CLOSED),
            Phase.SASL_RESPONSE, EnumSet.of(Phase.COMMANDS, Phase.CLOSED),
            Phase.CLOSED, EnumSet.noneOf(Phase.class)));

    private static final Map<Pop3State, Set<Pop3State>> STATE_CHANGES = new EnumMap<>(Map.of(
            Pop3State.AUTHORIZATION, EnumSet.of(Pop3State.TRANSACTION),
            Pop3State.TRANSACTION, EnumSet.of(Pop3State.UPDATE),
            Pop3State.UPDATE, EnumSet.noneOf(Pop3State.class)));

    /** What a slot in the response queue waits for. */
    private enum Awaited {
        GREETING, COMMAND, SASL,
        /** The wrapper's own response, released when it reaches the head of the queue. */
        LOCAL
    }

    /**
     * A slot in the response queue.
     *
     * @param verb the command's verb; empty for a command the wrapper could not parse, and for the others
     * @param multiLine whether {@code +OK} starts a multi-line response
     * @param sync whether the client must wait for this response before the wrapper reads on
     * @param startsTls whether TLS with the client starts right after this (local) response
     */
    private record Slot(Awaited awaited, Optional<Verb> verb, boolean multiLine, boolean sync, byte[] localReply,
            boolean startsTls) {
        static Slot server(Awaited awaited, Optional<Verb> verb, boolean multiLine, boolean sync) {
            return new Slot(awaited, verb, multiLine, sync, new byte[0], false);
        }

        static Slot local(String reply) {
            return new Slot(Awaited.LOCAL, Optional.empty(), false, false, crlf(reply), false);
        }

        /** The wrapper's {@code +OK} to STLS (RFC 2595 section 4): nothing is read after it in plain text. */
        static Slot beginTls() {
            return new Slot(Awaited.LOCAL, Optional.of(Verb.STLS), false, true, crlf("+OK Begin TLS negotiation"),
                    true);
        }

        private static byte[] crlf(String reply) {
            return (reply + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        boolean is(Verb v) {
            return verb.filter(x -> x == v).isPresent();
        }
    }

    /** A policy refusal: the rule that matched, why, and the response the client gets. */
    private record Refusal(Pop3Rule rule, String detail, String reply) {}

    private static final int HELD_LIMIT = 16 * 1024;
    private static final int CAPA_LIMIT = 16 * 1024;
    private static final int MAX_OUTSTANDING = 100;

    private final Pop3Settings settings;
    private final Deque<Slot> replies = new ArrayDeque<>();
    private final CommandLineReader lineReader;
    private final StatusLineReader statusReader = new StatusLineReader();
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    private Phase phase = Phase.COMMANDS;
    private Pop3State state = Pop3State.AUTHORIZATION;
    private Optional<MultiLineBody> body = Optional.empty();
    private Optional<ByteArrayOutputStream> capa = Optional.empty();
    private boolean pipelining;
    private boolean userAccepted;
    /** Whether the wrapper has started TLS with the client (STLS answered here). */
    private boolean tls;
    private boolean draining;
    private boolean awaitingServer;
    private int logins;
    private int failedLogins;
    private int retrieved;

    Pop3Session(Pop3Settings settings) {
        this.settings = settings;
        this.lineReader = new CommandLineReader(
                Math.max(settings.maxCommandLineLength(), settings.maxAuthLineLength()) - 2);
        replies.add(Slot.server(Awaited.GREETING, Optional.empty(), false, true));
    }

    private void enter(Phase next) {
        if (next != phase && !ALLOWED.get(phase).contains(next)) {
            throw new IllegalStateException("POP3 session cannot go from " + phase + " to " + next);
        }
        phase = next;
    }

    private void setState(Pop3State next, Decisions out) {
        if (!STATE_CHANGES.get(state).contains(next)) {
            throw new IllegalStateException("POP3 state cannot go from " + state + " to " + next);
        }
        state = next;
        out.describe("state", next.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void onStart(Decisions out) {
        updateAwaiting(out);
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void onClientData(ByteBuffer data, Decisions out) {
        if (held.size() > 0) {
            hold(data, out);
        } else {
            read(data, out);
        }
        data.position(data.limit());
        updateAwaiting(out);
    }

    private void read(ByteBuffer data, Decisions out) {
        while (data.hasRemaining() && phase != Phase.CLOSED) {
            if (mustWait() && !lineReader.inLine()) {
                hold(data, out);
                break;
            }
            if (!lineReader.inLine()) {
                out.clientUnitStarted();
            }
            Optional<Line> line = lineReader.next(data);
            if (line.isPresent()) {
                out.clientUnitComplete();
                onLine(line.get(), out);
            }
        }
        data.position(data.limit());
        // The +OK to STLS goes out only now that whatever the client sent after STLS is held.
        releaseLocalReplies(out);
    }

    /** Whether a response the client must wait for is outstanding (a SASL line is awaited at once). */
    private boolean mustWait() {
        return phase == Phase.COMMANDS
                && (replies.size() >= MAX_OUTSTANDING || replies.stream().anyMatch(Slot::sync));
    }

    /** Bytes the client sent while it had to wait: kept, bounded, and read once it may go on. */
    private void hold(ByteBuffer data, Decisions out) {
        if (held.size() + data.remaining() > HELD_LIMIT) {
            // Memory is bounded in every mode: the rule's mode only decides whether it is reported.
            applies(Pop3Rule.PIPELINING_FLOOD, "more than " + HELD_LIMIT + " octets sent before the response",
                    Redaction.HIDDEN, out);
            closeWith("-ERR Too much sent before the response, closing connection", out);
            return;
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        held.writeBytes(bytes);
    }

    private void releaseHeld(Decisions out) {
        while (held.size() > 0 && !mustWait() && phase != Phase.CLOSED) {
            ByteBuffer bytes = ByteBuffer.wrap(held.toByteArray());
            held.reset();
            read(bytes, out);
        }
    }

    private void onLine(Line line, Decisions out) {
        if (phase == Phase.SASL_RESPONSE) {
            saslResponse(line, out);
        } else {
            commandLine(line, out);
        }
    }

    private void commandLine(Line line, Decisions out) {
        Supplier<String> excerpt = () -> Redaction.excerpt(line.bytes());
        int limit = settings.maxCommandLineLength();
        if (line.overflowed() || line.octetsWithCrlf() > limit) {
            boolean enforced = applies(Pop3Rule.COMMAND_TOO_LONG, "command line longer than " + limit + " octets",
                    excerpt, out);
            if (enforced || line.overflowed()) {
                refuse("-ERR Command line too long", out);
                return;
            }
        }
        if (line.bareCr() && applies(Pop3Rule.COMMAND_BARE_CR, "bare CR in a command line", excerpt, out)) {
            refuse("-ERR Syntax error: bare CR in a command line", out);
            return;
        }
        if (line.bareLf() && applies(Pop3Rule.COMMAND_BARE_LF, "command line ends in a bare LF", excerpt, out)) {
            refuse("-ERR Syntax error: command lines end in CRLF", out);
            return;
        }
        switch (CommandParser.parse(line.bytes())) {
            case Refused refused -> {
                if (applies(refused.rule(), refused.detail(), excerpt, out)) {
                    refuse(refused.reply(), out);
                } else {
                    forward(refused.verb(), refused.argumentCount(), line, out);
                }
            }
            case Command command -> checkAndForward(command, line, excerpt, out);
        }
    }

    private void checkAndForward(Command command, Line line, Supplier<String> excerpt, Decisions out) {
        Verb verb = command.verb();
        boolean answeredHere = verb == Verb.STLS && settings.startTls();
        Optional<Refusal> refusal = policy(verb);
        if (refusal.isPresent()) {
            boolean enforced = applies(refusal.get().rule(), refusal.get().detail(), excerpt, out);
            // An STLS the wrapper answers is never forwarded: relaxed, it is reported and still refused.
            if (enforced || answeredHere) {
                refuse(refusal.get().reply(), out);
                return;
            }
        }
        if (answeredHere) {
            replies.add(Slot.beginTls());
            return;
        }
        forward(Optional.of(verb), command.arguments().size(), line, out);
    }

    /** What the options and the session's state say about a well-formed command, in the order checked. */
    private Optional<Refusal> policy(Verb verb) {
        if (verb == Verb.STLS && !settings.startTls() && settings.stls() == Stls.DENY) {
            return Optional.of(new Refusal(Pop3Rule.STLS_DENIED, "STLS refused (stls: deny)",
                    "-ERR Command not available"));
        }
        if (!settings.allowedCommands().contains(verb)) {
            return Optional.of(new Refusal(Pop3Rule.COMMAND_DENIED, verb + " is not in allowedCommands",
                    "-ERR Command not allowed here"));
        }
        if (!verb.validIn(state)) {
            return Optional.of(new Refusal(Pop3Rule.COMMAND_SEQUENCE, verb + " is not valid in the " + state
                    + " state", "-ERR Command not valid in this state"));
        }
        if (settings.requireTls() && !tls && (verb == Verb.USER || verb.credentials())) {
            return Optional.of(new Refusal(Pop3Rule.TLS_REQUIRED, verb + " before STLS (requireTls)",
                    "-ERR [AUTH] TLS required: use STLS first"));
        }
        if (verb == Verb.STLS && tls) {
            return Optional.of(new Refusal(Pop3Rule.COMMAND_SEQUENCE, "STLS after TLS has started",
                    "-ERR TLS already active"));
        }
        if (verb == Verb.PASS && !userAccepted) {
            return Optional.of(new Refusal(Pop3Rule.COMMAND_SEQUENCE, "PASS not right after a successful USER",
                    "-ERR PASS must follow a successful USER"));
        }
        return Optional.empty();
    }

    /** Reports a match of {@code rule} unless it is off; returns whether it is enforced. */
    private boolean applies(Pop3Rule rule, String detail, String excerpt, Decisions out) {
        return applies(rule, detail, () -> excerpt, out);
    }

    private boolean applies(Pop3Rule rule, String detail, Supplier<String> excerpt, Decisions out) {
        RuleMode mode = settings.mode(rule);
        if (mode != RuleMode.OFF) {
            out.report(new Violation(rule.rule().name(), mode, detail, excerpt.get()));
        }
        return mode == RuleMode.ENFORCE;
    }

    /** Forwards an accepted line and opens its response slot. */
    private void forward(Optional<Verb> verb, int argumentCount, Line line, Decisions out) {
        ByteBuffer bytes = ByteBuffer.wrap(line.withCrlf());
        if (verb.map(Verb::credentials).orElse(true)) {
            // An unparsed line may be anything, a password included.
            out.sendCredentialsToServer(bytes);
        } else {
            out.sendToServer(bytes);
        }
        userAccepted = false;
        boolean multiLine = verb.map(v -> v.multiLine(argumentCount)).orElse(false);
        // The response to a command the wrapper does not know cannot be framed ahead: wait for it.
        boolean sync = verb.map(Verb::changesState).orElse(true) || !pipelining;
        replies.add(Slot.server(Awaited.COMMAND, verb, multiLine, sync));
    }

    private void saslResponse(Line line, Decisions out) {
        String text = new String(line.bytes(), StandardCharsets.ISO_8859_1);
        boolean wellFormed = !line.overflowed() && !line.bareLf() && !line.bareCr()
                && line.octetsWithCrlf() <= settings.maxAuthLineLength() && CommandParser.isSaslResponse(text);
        enter(Phase.COMMANDS);
        boolean cancel = !wellFormed && (applies(Pop3Rule.AUTH_RESPONSE,
                "SASL response line is not base64 or is too long", Redaction.HIDDEN, out) || line.overflowed());
        // Cancelling (RFC 5034 section 4) lets the server answer, and the client gets that answer.
        byte[] bytes = cancel ? new byte[] {'*', '\r', '\n'} : line.withCrlf();
        out.sendCredentialsToServer(ByteBuffer.wrap(bytes));
        replies.add(Slot.server(Awaited.SASL, Optional.of(Verb.AUTH), false, true));
    }

    /** The wrapper answers a command itself: its response takes the command's place in the queue. */
    private void refuse(String reply, Decisions out) {
        replies.add(Slot.local(reply));
        releaseLocalReplies(out);
    }

    private void releaseLocalReplies(Decisions out) {
        while (phase != Phase.CLOSED && !replies.isEmpty() && replies.peekFirst().awaited() == Awaited.LOCAL) {
            Slot slot = replies.pollFirst();
            if (slot.startsTls()) {
                beginTls(slot, out);
            } else {
                out.sendToClient(ByteBuffer.wrap(slot.localReply()));
            }
        }
    }

    /**
     * Answers STLS and has the engine start TLS. Bytes the client sent after STLS came in plain
     * text: they are never read as if from inside TLS (RFC 2595 section 4, as RFC 3207 section
     * 4.2 says for SMTP). Enforced, the session ends; relaxed, they are dropped unread.
     */
    private void beginTls(Slot slot, Decisions out) {
        if (held.size() > 0) {
            if (applies(Pop3Rule.STLS_INJECTION, "plaintext sent after STLS before the response",
                    Redaction.HIDDEN, out)) {
                closeWith("-ERR Protocol error: data sent after STLS before the response", out);
                return;
            }
            held.reset();
        }
        out.sendToClient(ByteBuffer.wrap(slot.localReply()));
        tls = true;
        // RFC 2595 section 4: the server discards what it learnt from the client, such as USER's argument.
        userAccepted = false;
        out.describe("tls", "stls");
        out.startTls();
    }

    // ---------------------------------------------------------------- server side

    @Override
    public void onServerData(ByteBuffer data, Decisions out) {
        while (data.hasRemaining() && phase != Phase.CLOSED) {
            if (body.isPresent()) {
                bodyBytes(body.get(), data, out);
                continue;
            }
            Optional<Status> status = statusReader.next(data);
            if (status.isPresent()) {
                onStatus(status.get(), data, out);
            } else if (statusReader.failure().isPresent()) {
                invalidResponse(statusReader.failure().get(), statusReader.unread(), data, out);
            }
        }
        data.position(data.limit());
        updateAwaiting(out);
    }

    private void onStatus(Status status, ByteBuffer rest, Decisions out) {
        if (status.raw().length > settings.maxResponseLineLength()
                && applies(Pop3Rule.RESPONSE_TOO_LONG, "status line longer than "
                        + settings.maxResponseLineLength() + " octets", "", out)) {
            out.serverFault("status line longer than " + settings.maxResponseLineLength() + " octets");
            endWith("-ERR [SYS/TEMP] The mail server sent an invalid response, closing connection", out);
            return;
        }
        Slot slot = replies.pollFirst();
        if (slot == null) {
            // Unsolicited, such as an -ERR before the server closes: the client should see it.
            out.sendToClient(ByteBuffer.wrap(status.raw()));
            return;
        }
        if (status.kind() == Kind.CONTINUATION) {
            continuation(slot, status, rest, out);
            return;
        }
        boolean ok = status.kind() == Kind.OK;
        out.describe("status", ok ? "+OK" : "-ERR");
        if (slot.awaited() == Awaited.GREETING || slot.verb().isEmpty()) {
            greetingOrUnknown(slot, status, rest, out);
            return;
        }
        Verb verb = slot.verb().get();
        if (verb == Verb.STLS && ok) {
            serverStartsTls(status, rest, out);
            return;
        }
        if (isLogin(slot) && !ok && failedLogin(out)) {
            return;
        }
        out.sendToClient(ByteBuffer.wrap(status.raw()));
        if (ok) {
            accepted(slot, verb, out);
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        if (ok && slot.multiLine()) {
            body = Optional.of(new MultiLineBody());
            capa = verb == Verb.CAPA ? Optional.of(new ByteArrayOutputStream()) : Optional.empty();
        } else {
            responseComplete(out);
        }
    }

    private static boolean isLogin(Slot slot) {
        return slot.is(Verb.PASS) || slot.is(Verb.APOP) || (slot.is(Verb.AUTH) && !slot.multiLine());
    }

    /** What {@code +OK} to a command does to the session. */
    private void accepted(Slot slot, Verb verb, Decisions out) {
        switch (verb) {
            case USER -> userAccepted = true;
            case PASS, APOP, AUTH -> {
                if (!slot.multiLine()) {
                    setState(Pop3State.TRANSACTION, out);
                    logins++;
                    out.describe("logins", Integer.toString(logins));
                }
            }
            case RETR -> {
                retrieved++;
                out.describe("retrieved", Integer.toString(retrieved));
            }
            case QUIT -> {
                if (state == Pop3State.TRANSACTION) {
                    setState(Pop3State.UPDATE, out);
                }
                // The server closes after QUIT's +OK (RFC 1939 section 6): so does the wrapper.
                out.close();
                replies.clear();
                held.reset();
                enter(Phase.CLOSED);
            }
            default -> { }
        }
    }

    /** A failed login; returns whether it was the last one allowed and the session has ended. */
    private boolean failedLogin(Decisions out) {
        failedLogins++;
        out.describe("failed", Integer.toString(failedLogins));
        int max = settings.maxFailedLogins();
        if (max == 0 || failedLogins != max) {
            return false;
        }
        if (!applies(Pop3Rule.LOGIN_FAILURES, failedLogins + " failed logins reached the limit of " + max, "", out)) {
            return false;
        }
        endWith("-ERR [AUTH] Too many failed logins, closing connection", out);
        return true;
    }

    private void greetingOrUnknown(Slot slot, Status status, ByteBuffer rest, Decisions out) {
        out.sendToClient(ByteBuffer.wrap(status.raw()));
        if (slot.awaited() == Awaited.COMMAND && status.kind() == Kind.OK) {
            // A command the wrapper let through unparsed was accepted: what follows cannot be framed.
            relayRest(rest, out, "the server accepted a command the wrapper does not know: its response"
                    + " cannot be framed, relayed without inspection");
            return;
        }
        responseComplete(out);
    }

    /** A SASL continuation ({@code +}): the client sends one response line next. */
    private void continuation(Slot slot, Status status, ByteBuffer rest, Decisions out) {
        if (!slot.is(Verb.AUTH) || slot.multiLine()) {
            invalidResponse("a continuation answers no AUTH", status.raw(), rest, out);
            return;
        }
        out.sendToClient(ByteBuffer.wrap(status.raw()));
        enter(Phase.SASL_RESPONSE);
        releaseHeld(out);
    }

    private void bodyBytes(MultiLineBody current, ByteBuffer data, Decisions out) {
        int start = data.position();
        Result result = current.scan(data);
        ByteBuffer piece = data.slice(start, data.position() - start);
        if (capa.isPresent()) {
            if (capa.get().size() + piece.remaining() > CAPA_LIMIT) {
                body = Optional.empty();
                invalidResponse("CAPA response longer than " + CAPA_LIMIT + " octets", new byte[0], data, out);
                return;
            }
            byte[] bytes = new byte[piece.remaining()];
            piece.get(bytes);
            capa.get().writeBytes(bytes);
        } else {
            out.sendToClient(piece);
        }
        switch (result) {
            case MORE -> { }
            case END -> {
                body = Optional.empty();
                capa.ifPresent(c -> out.sendToClient(ByteBuffer.wrap(capabilities(c.toByteArray()))));
                capa = Optional.empty();
                responseComplete(out);
            }
            case MALFORMED -> malformedBody(data, out);
        }
    }

    /**
     * The CAPA lines the client may see (RFC 2449 section 5), and what they say: STLS goes under
     * {@code stls: deny}, USER and SASL when their commands are not allowed or, under
     * {@code requireTls}, before TLS. When the wrapper terminates TLS, the server's STLS (if any)
     * goes and the wrapper's own is listed while it can be used: before TLS, in the AUTHORIZATION
     * state.
     */
    private byte[] capabilities(byte[] response) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        boolean advertisesPipelining = false;
        int from = 0;
        for (int i = 0; i < response.length; i++) {
            if (response[i] != '\n') {
                continue;
            }
            String line = new String(response, from, i + 1 - from, StandardCharsets.ISO_8859_1);
            String name = line.strip().split(" ", 2)[0].toUpperCase(Locale.ROOT);
            advertisesPipelining |= name.equals("PIPELINING");
            if (name.equals(".") && offersStls()) {
                kept.writeBytes(Slot.crlf("STLS"));
            }
            if (!hidden(name)) {
                kept.write(response, from, i + 1 - from);
            }
            from = i + 1;
        }
        pipelining = advertisesPipelining;
        return kept.toByteArray();
    }

    private boolean offersStls() {
        return settings.startTls() && !tls && Verb.STLS.validIn(state)
                && settings.allowedCommands().contains(Verb.STLS);
    }

    private boolean hidden(String capability) {
        return switch (capability) {
            case "STLS" -> settings.startTls()
                    || settings.stls() == Stls.DENY && settings.mode(Pop3Rule.STLS_DENIED) == RuleMode.ENFORCE;
            case "USER" -> loginsRefused() || !settings.allowedCommands().contains(Verb.USER)
                    && settings.mode(Pop3Rule.COMMAND_DENIED) == RuleMode.ENFORCE;
            case "SASL" -> loginsRefused() || !settings.allowedCommands().contains(Verb.AUTH)
                    && settings.mode(Pop3Rule.COMMAND_DENIED) == RuleMode.ENFORCE;
            default -> false;
        };
    }

    /** Whether logins are refused until TLS, as requireTls says. */
    private boolean loginsRefused() {
        return settings.requireTls() && !tls && settings.mode(Pop3Rule.TLS_REQUIRED) == RuleMode.ENFORCE;
    }

    private void responseComplete(Decisions out) {
        releaseLocalReplies(out);
        releaseHeld(out);
        endIfDraining(out);
    }

    /** The server accepted STLS (passthrough): what follows is TLS, relayed raw. */
    private void serverStartsTls(Status status, ByteBuffer rest, Decisions out) {
        if (held.size() > 0) {
            if (applies(Pop3Rule.STLS_INJECTION, "plaintext sent after STLS before the response",
                    Redaction.HIDDEN, out)) {
                endWith("-ERR Protocol error: data sent after STLS before the response", out);
                return;
            }
        }
        out.sendToClient(ByteBuffer.wrap(status.raw()));
        relayRest(rest, out, "STLS accepted by the server: the rest of the session is TLS, relayed without inspection");
    }

    /** Hands the connection over to raw relaying: what is held goes first, unparsed. */
    private void relayRest(ByteBuffer rest, Decisions out, String reason) {
        out.sendToClient(rest.slice());
        rest.position(rest.limit());
        if (held.size() > 0) {
            // not parsed: it may hold a password
            out.sendCredentialsToServer(ByteBuffer.wrap(held.toByteArray()));
            held.reset();
        }
        out.relayRaw(reason);
        replies.clear();
        enter(Phase.CLOSED);
    }

    /** A status line that is not POP3: the server's fault; the client has not had any of it yet. */
    private void invalidResponse(String detail, byte[] unread, ByteBuffer rest, Decisions out) {
        out.serverFault(detail);
        if (applies(Pop3Rule.RESPONSE_MALFORMED, detail, "", out)) {
            endWith("-ERR [SYS/TEMP] The mail server sent an invalid response, closing connection", out);
            return;
        }
        out.sendToClient(ByteBuffer.wrap(unread));
        relayRest(rest, out, "the server sent something that is not a POP3 response: relayed without inspection");
    }

    /** A multi-line body that cannot be framed: the client is inside it, so no -ERR can be sent. */
    private void malformedBody(ByteBuffer rest, Decisions out) {
        String detail = "a line of a multi-line response starts with a dot that is neither stuffed nor the end";
        body = Optional.empty();
        out.serverFault(detail);
        if (applies(Pop3Rule.RESPONSE_MALFORMED, detail, "", out)) {
            out.abortServer();
            out.close();
            replies.clear();
            held.reset();
            enter(Phase.CLOSED);
            return;
        }
        relayRest(rest, out, "the server sent a multi-line response that cannot be framed: relayed without inspection");
    }

    /** Drops the server connection, tells the client, and closes. */
    private void endWith(String reply, Decisions out) {
        out.abortServer();
        closeWith(reply, out);
    }

    private void closeWith(String reply, Decisions out) {
        out.sendToClient(ByteBuffer.wrap((reply + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        out.close();
        held.reset();
        replies.clear();
        body = Optional.empty();
        enter(Phase.CLOSED);
    }

    // ---------------------------------------------------------------- engine signals

    /** Whether the server owes a response that has not begun; told to the engine when it changes. */
    private void updateAwaiting(Decisions out) {
        boolean now = phase != Phase.CLOSED && body.isEmpty() && !statusReader.inLine()
                && replies.stream().anyMatch(s -> s.awaited() != Awaited.LOCAL);
        if (now != awaitingServer) {
            awaitingServer = now;
            out.awaitingServer(now);
        }
    }

    /** Between responses the client would read a refusal as the answer to its next command. */
    @Override
    public boolean mayRefuseNow() {
        return body.isEmpty();
    }

    @Override
    public void onDrain(Decisions out) {
        draining = true;
        endIfDraining(out);
    }

    /**
     * Ends a draining session between commands. A session that is not in UPDATE deletes nothing
     * when it ends this way (RFC 1939 section 6), so the client loses no mail.
     */
    private void endIfDraining(Decisions out) {
        if (draining && phase == Phase.COMMANDS && replies.isEmpty() && held.size() == 0 && !lineReader.inLine()) {
            closeWith("-ERR [SYS/TEMP] Server shutting down, try again later", out);
        }
    }
}
