package org.protowrap.validator.http;

import java.nio.ByteBuffer;

/**
 * Follows the server's responses on one connection, without holding or changing them: finds
 * where each response ends (RFC 9112 section 6.3: HEAD, 1xx, 204 and 304 without content,
 * Transfer-Encoding chunked, Content-Length, or until the server closes), pairs it with the
 * request it answers, and notices {@code 101 Switching Protocols} and tunnels. The caller relays
 * the bytes it scanned, holding each response head until {@link Event#HEAD} (or the response's
 * end) says it is valid.
 *
 * <p>It checks only what framing needs: the status line, Content-Length, Transfer-Encoding and
 * chunked framing. A response whose end it cannot find is {@link Event#BROKEN}. Memory: one
 * partial line of at most {@value #LINE_CAPACITY} bytes; longer lines are skipped unless they
 * carry framing.
 */
final class ResponseTracker {

    /**
     * What the last scan found: {@code HEAD} a valid head of an interim response or of one whose
     * content follows, {@code COMPLETE} the end of a final response (for one without content, its
     * head too), {@code SWITCHED} the head of a 101 or of a tunnel, {@code BROKEN} bytes that are
     * not a response or cannot be framed.
     */
    enum Event { NONE, HEAD, COMPLETE, SWITCHED, BROKEN }

    private enum State { STATUS_LINE, FIELDS, BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE, DONE }

    static final int LINE_CAPACITY = 1024;

    private final PendingRequests pending;
    private final ResponseChunks chunks = new ResponseChunks();
    private State state = State.STATUS_LINE;
    private Event event = Event.NONE;
    private byte[] line;
    private ByteBuffer lineView;
    private int lineLength;
    private boolean lineOverflow;
    private int status;
    private long contentLength;
    private boolean transferEncoding;
    private boolean chunked;
    /** The response's version and Connection field leave the connection open after it. */
    private boolean http11;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private long remaining;
    private long completed;
    private String brokenReason = "";
    private boolean lastClosesAfter;
    private boolean lastLeavesOpen;
    /**
     * For the rest of the connection: a response answered no request, or challenged with a scheme
     * that authenticates the connection (the server then ties it to one client).
     */
    private boolean unasked;
    private boolean connectionAuth;
    private PendingRequests.Kind lastKind = PendingRequests.Kind.PLAIN;

    ResponseTracker(PendingRequests pending) {
        this.pending = pending;
    }

    /** Scans from {@code pos} until a response event or the end of the read; returns where it stopped. */
    int scan(ByteBuffer data, int pos, int limit) {
        event = Event.NONE;
        int p = pos;
        while (p < limit && event == Event.NONE && state != State.DONE) {
            p = switch (state) {
                case STATUS_LINE, FIELDS -> headLine(data, p, limit);
                case BODY_LENGTH -> lengthBody(p, limit);
                case BODY_CHUNKED -> chunkedBody(data, p, limit);
                case BODY_UNTIL_CLOSE, DONE -> limit;
            };
        }
        return p;
    }

    Event event() {
        return event;
    }

    /** The server closed its side: a response delimited by the close is complete. */
    void serverEnded() {
        event = Event.NONE;
        if (state == State.BODY_UNTIL_CLOSE) {
            complete();
            lastLeavesOpen = false;
        } else if (!betweenResponses()) {
            state = State.DONE;
        }
    }

    /** Whether a response head is being read: its bytes are not valid yet. */
    boolean inHead() {
        return state == State.STATUS_LINE || state == State.FIELDS;
    }

    /** The status of the response being read, once its status line is. */
    int status() {
        return status;
    }

    /** Final responses relayed so far on the connection. */
    long completed() {
        return completed;
    }

    /** Whether no response is in progress, so that bytes of the wrapper's own may be sent to the client. */
    boolean betweenResponses() {
        return state == State.STATUS_LINE && lineLength == 0 && !lineOverflow;
    }

    /** After {@link Event#COMPLETE}: whether the connection ends after that response. */
    boolean lastClosesAfter() {
        return lastClosesAfter;
    }

    /**
     * After {@link Event#COMPLETE}: whether the server keeps its connection open after that
     * response (HTTP/1.1 without {@code Connection: close}, HTTP/1.0 with {@code keep-alive}).
     */
    boolean lastLeavesOpen() {
        return lastLeavesOpen;
    }

    /** Whether a response so far answered no request: the server sends what nobody asked for. */
    boolean sawUnaskedResponse() {
        return unasked;
    }

    /** Whether a response so far challenged with NTLM or Negotiate, or said Persistent-Auth. */
    boolean sawConnectionAuth() {
        return connectionAuth;
    }

    /** After {@link Event#COMPLETE}: what the answered request was. */
    PendingRequests.Kind lastKind() {
        return lastKind;
    }

    String brokenReason() {
        return brokenReason;
    }

    int retainedBytes() {
        return line == null ? 0 : line.length;
    }

    // ---- head ----

    private int headLine(ByteBuffer data, int pos, int limit) {
        int lf = HttpGrammar.indexOfLf(data, pos, limit);
        if (lf < 0) {
            keep(data, pos, limit);
            return limit;
        }
        if (lineLength == 0 && !lineOverflow) {
            headLine(data, pos, lf, false);
        } else {
            keep(data, pos, lf);
            headLine(lineView, 0, lineLength, lineOverflow);
            lineLength = 0;
            lineOverflow = false;
        }
        return lf + 1;
    }

    private void keep(ByteBuffer data, int from, int to) {
        if (line == null) {
            line = new byte[LINE_CAPACITY];
            lineView = ByteBuffer.wrap(line);
        }
        int n = Math.min(to - from, LINE_CAPACITY - lineLength);
        data.get(from, line, lineLength, n);
        lineLength += n;
        lineOverflow |= n < to - from;
    }

    /** One line without its LF; {@code cut} when only its start was kept. */
    private void headLine(ByteBuffer src, int from, int lfAt, boolean cut) {
        int end = lfAt > from && src.get(lfAt - 1) == '\r' ? lfAt - 1 : lfAt;
        if (state == State.STATUS_LINE) {
            statusLine(src, from, end, cut);
        } else if (end == from) {
            headEnd();
        } else {
            field(src, from, end, cut);
        }
    }

    private void statusLine(ByteBuffer src, int from, int end, boolean cut) {
        boolean valid = !cut && end - from >= 12 && HttpGrammar.equalsAscii(src, from, from + 7, "HTTP/1.")
                && src.get(from + 8) == ' ' && HttpGrammar.isDigits(src, from + 9, from + 12) && (end == from + 12 || src.get(from + 12) == ' ');
        if (!valid) {
            broken("status line is not HTTP/1.x DDD");
            return;
        }
        status = (src.get(from + 9) - '0') * 100 + (src.get(from + 10) - '0') * 10 + (src.get(from + 11) - '0');
        contentLength = -1;
        transferEncoding = false;
        chunked = false;
        http11 = src.get(from + 7) == '1';
        connectionClose = false;
        connectionKeepAlive = false;
        state = State.FIELDS;
    }

    private void field(ByteBuffer src, int from, int end, boolean cut) {
        int colon = HttpGrammar.indexOf(src, from, end, ':');
        if (colon < 0) {
            broken("response field line without a colon");
            return;
        }
        boolean length = HttpGrammar.equalsIgnoreCase(src, from, colon, "content-length");
        boolean encoding = HttpGrammar.equalsIgnoreCase(src, from, colon, "transfer-encoding");
        if (HttpGrammar.equalsIgnoreCase(src, from, colon, "connection")) {
            connectionField(src, colon + 1, end, cut);
        } else if (HttpGrammar.equalsIgnoreCase(src, from, colon, "www-authenticate")
                || HttpGrammar.equalsIgnoreCase(src, from, colon, "proxy-authenticate")) {
            connectionAuth |= cut || HttpGrammar.isConnectionAuthScheme(src, colon + 1, end);
        } else if (HttpGrammar.equalsIgnoreCase(src, from, colon, "persistent-auth")) {
            connectionAuth = true;
        }
        if (cut && (length || encoding)) {
            broken("response framing field longer than " + LINE_CAPACITY + " bytes");
        } else if (length) {
            contentLengthField(src, colon + 1, end);
        } else if (encoding) {
            transferEncoding = true;
            int last = Math.max(HttpGrammar.lastIndexOf(src, colon + 1, end, ','), colon) + 1;
            chunked = HttpGrammar.equalsIgnoreCase(src, HttpGrammar.trimStart(src, last, end), HttpGrammar.trimEnd(src, last, end), "chunked");
        }
    }

    /** Its close and keep-alive options; a line too long to keep whole is taken as a close. */
    private void connectionField(ByteBuffer src, int from, int end, boolean cut) {
        connectionClose |= cut;
        int i = from;
        while (i <= end) {
            int comma = HttpGrammar.indexOf(src, i, end, ',');
            int e = comma < 0 ? end : comma;
            int s = HttpGrammar.trimStart(src, i, e);
            int t = HttpGrammar.trimEnd(src, i, e);
            connectionClose |= HttpGrammar.equalsIgnoreCase(src, s, t, "close");
            connectionKeepAlive |= HttpGrammar.equalsIgnoreCase(src, s, t, "keep-alive");
            i = e + 1;
        }
    }

    private void contentLengthField(ByteBuffer src, int from, int end) {
        int s = HttpGrammar.trimStart(src, from, end);
        int e = HttpGrammar.trimEnd(src, from, end);
        if (e == s || e - s > 18 || !HttpGrammar.isDigits(src, s, e)) {
            broken("response Content-Length is not 1*DIGIT");
            return;
        }
        long value = 0;
        for (int i = s; i < e; i++) {
            value = value * 10 + (src.get(i) - '0');
        }
        if (contentLength >= 0 && contentLength != value) {
            broken("response Content-Length values differ");
            return;
        }
        contentLength = value;
    }

    /** RFC 9112 section 6.3, in its order. */
    private void headEnd() {
        PendingRequests.Kind kind = pending.oldest();
        if (status == 101) {
            switched(kind == PendingRequests.Kind.UPGRADE, "101 to a request that did not ask to upgrade");
        } else if (status < 200) {
            state = State.STATUS_LINE;
            event = Event.HEAD;
        } else if (kind == PendingRequests.Kind.CONNECT && status < 300) {
            switched(true, "");
        } else if (kind == PendingRequests.Kind.HEAD || status == 204 || status == 304) {
            complete();
        } else if (transferEncoding) {
            releaseLine();
            state = chunked ? State.BODY_CHUNKED : State.BODY_UNTIL_CLOSE;
            chunks.start();
            event = Event.HEAD;
        } else if (contentLength > 0) {
            releaseLine();
            remaining = contentLength;
            state = State.BODY_LENGTH;
            event = Event.HEAD;
        } else if (contentLength == 0) {
            complete();
        } else {
            releaseLine();
            state = State.BODY_UNTIL_CLOSE;
            event = Event.HEAD;
        }
    }

    /** The partial-line buffer is needed only inside a response head. */
    private void releaseLine() {
        line = null;
        lineView = null;
    }

    private void switched(boolean expected, String reason) {
        if (!expected) {
            broken(reason);
            return;
        }
        pending.removeOldest();
        state = State.DONE;
        event = Event.SWITCHED;
    }

    // ---- bodies ----

    private int lengthBody(int pos, int limit) {
        long n = Math.min(remaining, limit - pos);
        remaining -= n;
        if (remaining == 0) {
            complete();
        }
        return pos + (int) n;
    }

    private int chunkedBody(ByteBuffer data, int pos, int limit) {
        int p = chunks.scan(data, pos, limit);
        if (chunks.broken()) {
            broken("response chunked framing is invalid");
        } else if (chunks.done()) {
            complete();
        }
        return p;
    }

    /** A final response is relayed. One nobody asked for (a server's parting 408) answers no request. */
    private void complete() {
        lastKind = pending.oldest();
        lastClosesAfter = pending.oldestClosesAfter();
        // both lengths: a response two parsers could frame two ways leaves the connection to no one else
        lastLeavesOpen = !connectionClose && (http11 || connectionKeepAlive) && !(transferEncoding && contentLength >= 0);
        unasked |= pending.isEmpty();
        if (!pending.isEmpty()) {
            completed++;
        }
        pending.removeOldest();
        releaseLine();
        state = State.STATUS_LINE;
        event = Event.COMPLETE;
    }

    private void broken(String reason) {
        brokenReason = reason;
        state = State.DONE;
        event = Event.BROKEN;
    }
}
