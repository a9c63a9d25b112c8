package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;

/**
 * One HTTP/1.x connection. Every request is validated in turn; a request head is forwarded
 * once it is complete and valid, its body as it streams and validates. Bytes after a message
 * the session cannot frame are never forwarded.
 *
 * <p>How client bytes are read is a {@link ClientState}; the allowed transitions are in
 * {@link #ALLOWED}, and every change goes through {@link #enter}. What the session knows of the
 * request in progress is one {@link Request}, a new one for each request. The connection is ended
 * in one place, {@link #close}.
 *
 * <p>With {@code testReply} the session follows the responses ({@link ResponseTracker}) so that
 * its own refusal reaches the client after the responses to the requests forwarded before it,
 * so that 101 and tunnels are relayed raw, so that no response head reaches the client before it
 * is valid, and so that a drain ends the connection between exchanges. Without it, a refusal is answered only when it
 * concerns the first request of the connection; later ones just close the connection, since
 * the session cannot know whether the server is still answering.
 */
final class HttpSession implements ValidatorSession {

    /** How client bytes are read. The allowed transitions are in {@link #ALLOWED}. */
    private enum ClientState {
        /** A request head: validated line by line, forwarded once complete and valid. */
        HEAD,
        /** A body of Content-Length bytes, forwarded as it comes. */
        BODY_LENGTH,
        /** A chunked body, forwarded as its chunks validate. */
        BODY_CHUNKED,
        /**
         * After an Upgrade or CONNECT request: client bytes are held, bounded, until its response
         * says whether the connection is still HTTP.
         */
        AWAIT_SWITCH,
        /** After a request that ends the connection: client bytes are dropped while responses go out. */
        DRAIN,
        /** A refusal waits for the responses to earlier requests: client bytes are dropped. */
        REFUSED,
        /** The engine relays both directions raw (101 Switching Protocols, a CONNECT tunnel). */
        RAW,
        /** The connection is closed: nothing more is done. */
        CLOSED
    }

    private static final Map<ClientState, Set<ClientState>> ALLOWED = new EnumMap<>(Map.of(
            ClientState.HEAD, EnumSet.of(ClientState.BODY_LENGTH, ClientState.BODY_CHUNKED, ClientState.AWAIT_SWITCH,
                    ClientState.DRAIN, ClientState.REFUSED, ClientState.CLOSED),
            ClientState.BODY_LENGTH, EnumSet.of(ClientState.HEAD, ClientState.AWAIT_SWITCH, ClientState.DRAIN,
                    ClientState.RAW, ClientState.CLOSED),
            ClientState.BODY_CHUNKED, EnumSet.of(ClientState.HEAD, ClientState.AWAIT_SWITCH, ClientState.DRAIN,
                    ClientState.REFUSED, ClientState.RAW, ClientState.CLOSED),
            ClientState.AWAIT_SWITCH, EnumSet.of(ClientState.HEAD, ClientState.RAW, ClientState.CLOSED),
            ClientState.DRAIN, EnumSet.of(ClientState.CLOSED),
            ClientState.REFUSED, EnumSet.of(ClientState.CLOSED),
            ClientState.RAW, EnumSet.of(ClientState.CLOSED),
            ClientState.CLOSED, EnumSet.noneOf(ClientState.class)));

    /**
     * The wrapper's answer to a refused request, waiting until the responses to the requests before
     * it have been relayed (testReply only). {@code abortsServer}: part of the refused request went
     * to the server, which must never see its end.
     */
    private record Refusal(byte[] response, boolean abortsServer, long afterResponses) {}

    private final HttpPolicy policy;
    private final RuleEnforcer rules;
    private final UnitReader reader = new UnitReader();
    private final RequestHeadParser parser;
    private final ChunkedBodyReader chunked;
    private final ClientForwarder forwarder = new ClientForwarder();
    private final PendingRequests pending;
    private final ResponseTracker responses;
    private final UnitBuffer early = new UnitBuffer();
    /** The response head being read: relayed once it is valid, never before. */
    private final UnitBuffer responseHead = new UnitBuffer();
    private ClientState state = ClientState.HEAD;
    /** The request whose head was forwarded last: its body, its response, what follows it. */
    private Request current;
    /** Present exactly in {@link ClientState#REFUSED}. */
    private Optional<Refusal> refusal = Optional.empty();
    private long bodyRemaining;
    private long requestsForwarded;
    /** Requests whose last byte went to the server. */
    private long requestsSent;
    private boolean awaitingServer;
    /** The engine asked to end the connection at the next boundary. */
    private boolean draining;
    /**
     * A request with a body, or with credentials that authenticate the connection, went to the
     * server: its connection never serves another client. A server that reads a body otherwise
     * than its length says would read the rest as the next client's request.
     */
    private boolean serverBoundToClient;

    HttpSession(HttpPolicy policy) {
        this.policy = policy;
        this.rules = new RuleEnforcer(policy);
        this.parser = new RequestHeadParser(policy, rules);
        this.current = parser.request();
        this.chunked = new ChunkedBodyReader(policy, rules, reader);
        this.pending = new PendingRequests(policy.maxPipelined());
        this.responses = new ResponseTracker(pending);
    }

    private void enter(ClientState next) {
        if (next != state && !ALLOWED.get(state).contains(next)) {
            throw new IllegalStateException("HTTP session cannot go from " + state + " to " + next);
        }
        state = next;
    }

    /** Ends the connection: the one place that asks the engine to close. */
    private void close(Decisions out) {
        enter(ClientState.CLOSED);
        refusal = Optional.empty();
        out.close();
    }

    // ---- client to server ----

    @Override
    public void onClientData(ByteBuffer data, Decisions out) {
        process(data, data.position(), data.limit(), out);
        data.position(data.limit());
    }

    private void process(ByteBuffer data, int start, int limit, Decisions out) {
        forwarder.begin(data, start);
        int pos = start;
        while (pos < limit) {
            pos = switch (state) {
                case HEAD -> head(data, pos, limit, out);
                case BODY_LENGTH -> lengthBody(pos, limit);
                case BODY_CHUNKED -> chunkedBody(data, pos, limit, out);
                case AWAIT_SWITCH -> holdEarly(data, pos, limit, out);
                case DRAIN, REFUSED, RAW, CLOSED -> drop(pos, limit, out);
            };
        }
        forwarder.flush(pos, out);
        forwarder.end();
        updateAwaiting(out);
    }

    private int head(ByteBuffer data, int pos, int limit, Decisions out) {
        if (reader.unitLength() == 0) {
            out.clientUnitStarted();
        }
        UnitReader.Status status = reader.feed(data, pos, limit, parser, out);
        return switch (status) {
            case NEED_MORE -> {
                forwarder.flush(reader.unitStart(), out);
                forwarder.skip(limit);
                yield limit;
            }
            case REFUSED -> {
                forwarder.flush(reader.unitStart(), out);
                if (reader.refusedOverBudget()) {
                    HttpRule rule = reader.overBudgetRule();
                    rules.refuse(rule, rule.rule().description(), excerptAt(data, reader.unitStart(), limit));
                }
                refuse(false, out);
                forwarder.skip(limit);
                yield limit;
            }
            case DONE -> accept(data, out);
        };
    }

    /** The head is valid: forward it, and read its body next. */
    private int accept(ByteBuffer data, Decisions out) {
        if (policy.testReply() && pending.isFull()) {
            forwarder.flush(reader.unitStart(), out);
            rules.refuse(HttpRule.LIMIT_PIPELINE, "more than " + policy.maxPipelined() + " requests awaiting a response", "");
            refuse(false, out);
            forwarder.skip(data.limit());
            return data.limit();
        }
        Request request = parser.request();
        if (reader.isHeld() || !parser.cuts().isEmpty()) {
            forwarder.sendUnit(reader, parser.cuts(), request.carriesCredentials(), out);
        } else if (request.carriesCredentials()) {
            forwarder.carriesCredentials();
        }
        int end = reader.end();
        reader.nextUnitReleasing();
        requestsForwarded++;
        out.clientUnitComplete();
        if (out.describes()) {
            out.describe("requests", Long.toString(requestsForwarded));
            out.describe("method", request.method());
            out.describe("target", request.target());
        }
        current = request;
        serverBoundToClient |= request.framing() != Request.Framing.NONE || request.connectionAuth;
        if (draining) {
            request.closeAfterResponse();
        }
        if (policy.testReply()) {
            pending.add(kindOf(request), request.closeAfter());
        }
        switch (request.framing()) {
            case NONE -> requestComplete();
            case LENGTH -> {
                bodyRemaining = request.contentLength();
                enter(ClientState.BODY_LENGTH);
            }
            case CHUNKED -> {
                chunked.start();
                enter(ClientState.BODY_CHUNKED);
            }
        }
        return end;
    }

    private static PendingRequests.Kind kindOf(Request request) {
        if (request.isConnect()) {
            return PendingRequests.Kind.CONNECT;
        }
        if (request.isUpgrade()) {
            return PendingRequests.Kind.UPGRADE;
        }
        return request.isHead() ? PendingRequests.Kind.HEAD : PendingRequests.Kind.PLAIN;
    }

    private int lengthBody(int pos, int limit) {
        long n = Math.min(bodyRemaining, limit - pos);
        bodyRemaining -= n;
        if (bodyRemaining == 0) {
            requestComplete();
        }
        return pos + (int) n;
    }

    private int chunkedBody(ByteBuffer data, int pos, int limit, Decisions out) {
        switch (chunked.feed(data, pos, limit, forwarder, out)) {
            case MORE -> {
                return chunked.position();
            }
            case DONE -> {
                reader.nextUnitReleasing();
                requestComplete();
                return chunked.position();
            }
            default -> {
                forwarder.flush(chunked.position(), out);
                refuse(true, out);
                forwarder.skip(limit);
                return limit;
            }
        }
    }

    private void requestComplete() {
        parser.startNext();
        requestsSent++;
        if (current.awaitsSwitch()) {
            enter(ClientState.AWAIT_SWITCH);
        } else {
            enter(current.closeAfter() ? ClientState.DRAIN : ClientState.HEAD);
        }
    }

    /** Bytes sent after an Upgrade or CONNECT request, before its response: kept until it is known what they are. */
    private int holdEarly(ByteBuffer data, int pos, int limit, Decisions out) {
        forwarder.flush(pos, out);
        forwarder.skip(limit);
        if (early.length() + limit - pos > policy.maxHeaderSection()) {
            out.report(new Violation(HttpRule.UPGRADE_EARLY_DATA.ruleName(), RuleMode.ENFORCE,
                    "client sent too much before the response to its Upgrade or CONNECT request", excerptAt(data, pos, limit)));
            early.release();
            close(out);
            return limit;
        }
        early.append(data, pos, limit);
        return limit;
    }

    private int drop(int pos, int limit, Decisions out) {
        forwarder.flush(pos, out);
        forwarder.skip(limit);
        return limit;
    }

    // ---- refusing ----

    /**
     * Refuses the current request with the recorded rule. Nothing more from the client is
     * forwarded. {@code partlyForwarded}: its head (and some body) already went to the server,
     * which must then never see its end.
     */
    private void refuse(boolean partlyForwarded, Decisions out) {
        out.report(rules.refusal());
        reader.nextUnitReleasing();
        byte[] response = RejectionResponse.forRule(rules.refusedRule(), policy);
        if (!policy.testReply()) {
            if (partlyForwarded) {
                out.abortServer();
            }
            if (requestsForwarded == (partlyForwarded ? 1 : 0)) {
                out.sendToClient(ByteBuffer.wrap(response));
            }
            close(out);
            return;
        }
        enter(ClientState.REFUSED);
        refusal = Optional.of(new Refusal(response, partlyForwarded, requestsForwarded - (partlyForwarded ? 1 : 0)));
        sendRefusalWhenDue(out);
    }

    /**
     * Sends the waiting refusal once the responses to every earlier request have been relayed.
     * If the server already started answering the refused request itself, no refusal of the
     * wrapper's own is sent: the client would get two answers to one request.
     */
    private boolean sendRefusalWhenDue(Decisions out) {
        if (refusal.isEmpty() || responses.completed() < refusal.get().afterResponses()) {
            return false;
        }
        Refusal due = refusal.get();
        if (due.abortsServer()) {
            out.abortServer();
        }
        if (responses.completed() == due.afterResponses() && responses.betweenResponses()) {
            out.sendToClient(ByteBuffer.wrap(due.response()));
        }
        close(out);
        return true;
    }

    /** Between responses: a refusal of the engine's would be read as the next response. */
    @Override
    public boolean mayRefuseNow() {
        return state != ClientState.RAW && responses.betweenResponses();
    }

    // ---- server to client ----

    /**
     * Relays the server's bytes as the tracker validates them: a response head only once it is
     * complete and valid, its content as it streams. A response that breaks the protocol gets the
     * client a 502 if none of it was relayed, otherwise the connection is closed.
     */
    @Override
    public void onServerData(ByteBuffer data, Decisions out) {
        if (awaitingServer && data.hasRemaining()) {
            awaitingServer = false; // the response has begun
            out.awaitingServer(false);
        }
        int pos = data.position();
        int limit = data.limit();
        int sent = pos;
        while (pos < limit && state != ClientState.CLOSED && state != ClientState.RAW) {
            boolean inHead = responses.inHead();
            pos = responses.scan(data, pos, limit);
            switch (responses.event()) {
                case NONE -> sent = inHead ? holdHead(data, sent, pos, out) : sent;
                // a valid head followed by its content in this read goes out with it, in one send
                case HEAD -> sent = responses.inHead() || responseHead.length() > 0 || closesWith(true)
                        ? sendHead(data, sent, pos, true, out) : sent;
                case COMPLETE -> {
                    sent = inHead ? sendHead(data, sent, pos, true, out) : relay(data, sent, pos, out);
                    afterResponse(pos == limit, out);
                }
                case SWITCHED -> {
                    sendHead(data, sent, pos, false, out);
                    if (state != ClientState.CLOSED) { // a head too long to hold ends the connection instead
                        sent = relay(data, pos, limit, out);
                        switchProtocols(out);
                    }
                }
                case BROKEN -> {
                    // content already validated up to the break goes, as it would have in smaller reads
                    sent = inHead ? sent : relay(data, sent, pos, out);
                    serverBroken(responses.brokenReason(), inHead, out);
                }
            }
        }
        if (state != ClientState.CLOSED) {
            relay(data, sent, limit, out);
        }
        data.position(limit);
        updateAwaiting(out);
    }

    /** Part of a response head: kept, bounded, until the tracker has read all of it. */
    private int holdHead(ByteBuffer data, int from, int to, Decisions out) {
        if (responseHead.length() + to - from > policy.maxHeaderSection()) {
            serverBroken("response head longer than maxHeaderSection", true, out);
        } else {
            responseHead.append(data, from, to);
        }
        return to;
    }

    /**
     * Relays a valid response head. While draining, a final response tells the client that the
     * connection ends ({@link ClosingHead}); so does the response to a request whose
     * {@code Connection: close} was withheld from the server.
     */
    private int sendHead(ByteBuffer data, int from, int to, boolean mayClose, Decisions out) {
        boolean addClose = closesWith(mayClose);
        if (responseHead.length() == 0 && !addClose) {
            return relay(data, from, to, out);
        }
        if (holdHead(data, from, to, out) != to || state == ClientState.CLOSED) {
            return to;
        }
        ByteBuffer held = responseHead.view();
        int length = responseHead.length();
        if (!addClose) {
            out.sendToClient(held.slice(0, length));
        } else {
            out.sendToClient(ByteBuffer.wrap(ClosingHead.of(held, length)));
        }
        responseHead.release();
        return to;
    }

    /** Whether the head just read gets {@code Connection: close} on its way to the client. */
    private boolean closesWith(boolean mayClose) {
        // which response this is: one without content is counted complete already, one with is not
        long number = responses.inHead() ? responses.completed() : responses.completed() + 1;
        boolean answersWithheldClose = current.closeWithheld && number == requestsForwarded;
        return (draining || answersWithheldClose) && mayClose && responses.status() >= 200;
    }

    /**
     * The server broke the protocol: nothing more of it is relayed. {@code inHead}: the break is in
     * a response head, none of which went to the client, so the client can be told.
     */
    private void serverBroken(String reason, boolean inHead, Decisions out) {
        out.serverFault(reason);
        out.report(new Violation(HttpRule.RESPONSE_FRAMING.ruleName(), RuleMode.ENFORCE, reason, ""));
        responseHead.release();
        if (inHead && !pending.isEmpty()) {
            out.sendToClient(ByteBuffer.wrap(RejectionResponse.forRule(HttpRule.RESPONSE_FRAMING, policy)));
        }
        close(out);
    }

    private static int relay(ByteBuffer data, int from, int to, Decisions out) {
        if (to > from) {
            out.sendToClient(data.slice(from, to - from));
        }
        return to;
    }

    /** {@code endOfRead}: nothing of the server's follows the response in this read. */
    private void afterResponse(boolean endOfRead, Decisions out) {
        if (out.describes()) {
            out.describe("status", Integer.toString(responses.status()));
        }
        out.exchangeComplete();
        if (sendRefusalWhenDue(out)) {
            return;
        }
        if (endOfRead && backendReusable()) {
            out.serverIdle();
        }
        // a server that ends its connection answers nothing pipelined after this response: the
        // client, told so by its Connection: close, sends those requests again on a new connection
        if (responses.lastClosesAfter() || !responses.lastLeavesOpen() || draining && isIdle()) {
            close(out);
            return;
        }
        PendingRequests.Kind kind = responses.lastKind();
        if (kind != PendingRequests.Kind.UPGRADE && kind != PendingRequests.Kind.CONNECT) {
            return;
        }
        if (state == ClientState.AWAIT_SWITCH) {
            resumeAfterRefusedSwitch(out);
        } else {
            // Answered before its body was complete: once the body is, the connection stays HTTP.
            current.stayedHttp();
        }
    }

    /**
     * After a response: whether the backend connection could serve another client. Every request
     * sent on it is answered in full, none is in progress, the server keeps the connection open,
     * it never saw a close from this client (one it was sent, not withheld, would end it), and
     * nothing ties it to this client: no request body (whose framing a lax server could misread),
     * no NTLM or Negotiate authentication, no response nobody asked for.
     */
    private boolean backendReusable() {
        PendingRequests.Kind kind = responses.lastKind();
        return responses.lastLeavesOpen() && pending.isEmpty() && requestsSent == requestsForwarded && !draining
                && !serverBoundToClient && !responses.sawUnaskedResponse() && !responses.sawConnectionAuth()
                && (state == ClientState.HEAD || state == ClientState.DRAIN)
                && (kind == PendingRequests.Kind.PLAIN || kind == PendingRequests.Kind.HEAD)
                && (!current.closeAfter() || current.closeWithheld);
    }

    /** The server answered an Upgrade or CONNECT request without switching: the held bytes are HTTP again. */
    private void resumeAfterRefusedSwitch(Decisions out) {
        enter(ClientState.HEAD);
        if (early.length() == 0) {
            early.release();
            return;
        }
        byte[] held = new byte[early.length()];
        early.view().get(0, held);
        early.release();
        process(ByteBuffer.wrap(held), 0, held.length, out);
    }

    private void switchProtocols(Decisions out) {
        if (early.length() > 0) {
            // the new protocol's first bytes, not inspected: kept out of the log like the raw relay after them
            out.sendCredentialsToServer(early.view().slice(0, early.length()));
        }
        early.release();
        enter(ClientState.RAW);
        out.relayRaw(current.isConnect() ? "CONNECT tunnel established" : "101 Switching Protocols");
    }

    @Override
    public void onServerEnd(Decisions out) {
        boolean partialHead = responses.inHead() && !responses.betweenResponses();
        boolean unanswered = responses.betweenResponses() && !pending.isEmpty();
        responses.serverEnded();
        if (state == ClientState.CLOSED) {
            return;
        }
        if (partialHead) {
            serverBroken("server closed its side in the middle of a response head", true, out);
            return;
        }
        if (unanswered) {
            serverBroken("server closed its side without answering a request", true, out);
            return;
        }
        if (responses.event() == ResponseTracker.Event.COMPLETE && sendRefusalWhenDue(out)) {
            return;
        }
        if (state == ClientState.REFUSED) {
            close(out);
        }
    }

    // ---- timing and draining ----

    /**
     * Tells the engine whether the server owes an answer: a request went whole and its response
     * has not begun. Then the wrapper's serverTimeout runs.
     */
    private void updateAwaiting(Decisions out) {
        boolean now = policy.testReply() && state != ClientState.CLOSED && state != ClientState.RAW
                && requestsSent > responses.completed() && responses.betweenResponses();
        if (now != awaitingServer) {
            awaitingServer = now;
            out.awaitingServer(now);
        }
    }

    /** Between requests: no part of a request read, no response owed or in progress. */
    private boolean isIdle() {
        boolean answered = policy.testReply() ? pending.isEmpty() && responses.betweenResponses() : requestsForwarded == 0;
        return state == ClientState.HEAD && reader.unitLength() == 0 && answered;
    }

    /**
     * An idle client keeps its connection: only the backend connection is dropped, and the next
     * request goes to a backend that remains (a client that sends one at this very moment would
     * otherwise find its connection closed). A busy one ends as at a drain.
     */
    @Override
    public void onBackendRemoved(Decisions out) {
        if (state != ClientState.CLOSED && state != ClientState.RAW && policy.testReply() && isIdle()) {
            out.abortServer();
            return;
        }
        onDrain(out);
    }

    /**
     * Ends the connection now if it is idle, otherwise after the response to the request in
     * progress, which tells the client with {@code Connection: close}. Without testReply the
     * session cannot see where responses end: only a connection that never sent a request is
     * closed, the rest is left to the engine's grace period.
     */
    @Override
    public void onDrain(Decisions out) {
        if (state == ClientState.CLOSED || state == ClientState.RAW) {
            return;
        }
        draining = true;
        if (isIdle()) {
            close(out);
            return;
        }
        if (!policy.testReply()) {
            return;
        }
        switch (state) {
            case HEAD -> {
                if (reader.unitLength() == 0) {
                    // requests await responses: the newest is the last this connection answers
                    pending.markNewestClosesAfter();
                    enter(ClientState.DRAIN);
                }
            }
            case BODY_LENGTH, BODY_CHUNKED -> {
                current.closeAfterResponse();
                pending.markNewestClosesAfter();
            }
            default -> { }
        }
    }

    // ---- for tests ----

    /** Bytes of buffers this connection holds now: the bound tests check. */
    int retainedBytes() {
        return reader.retainedBytes() + early.capacity() + responseHead.capacity() + responses.retainedBytes()
                + pending.retainedBytes();
    }

    /** Request heads forwarded so far, for tests that parse what the server received. */
    long requestsForwarded() {
        return requestsForwarded;
    }

    private static String excerptAt(ByteBuffer data, int from, int limit) {
        return Excerpt.of(data, from, Math.min(limit, from + Violation.EXCERPT_BYTES));
    }
}
