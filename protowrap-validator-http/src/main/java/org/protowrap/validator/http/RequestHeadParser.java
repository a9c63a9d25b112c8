package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;

/**
 * Parses and checks one request head (request line, field lines, empty line) line by line, in
 * place, and finds how its body is framed. One instance serves a whole connection; what it learns
 * of each request goes into a fresh {@link Request} ({@link #startNext()}), and only its buffers of
 * cut ranges are reused.
 *
 * <p>It reads only the fields that decide framing, routing and the connection's fate (Host,
 * Content-Length, Transfer-Encoding, Connection, Upgrade); every other field is checked for
 * syntax only. It cannot see bodies: see {@link ChunkedBodyReader}.
 */
final class RequestHeadParser implements LineConsumer {

    private static final List<byte[]> KNOWN = HttpPolicy.KNOWN_METHODS.stream()
            .map(m -> m.getBytes(StandardCharsets.US_ASCII)).toList();
    /** How much of a method or target the end-of-connection line shows. */
    private static final int MAX_DESCRIBED = 200;
    /** Empty lines ignored before a request line (RFC 9112 section 2.2 asks for at least one). */
    static final int MAX_EMPTY_LINES = 8;

    private final HttpPolicy policy;
    private final RuleEnforcer rules;
    private final FieldLineParser field = new FieldLineParser();
    private Request request = new Request();
    private final UnitCuts cuts = new UnitCuts();
    private final UnitCuts lengthLines = new UnitCuts();
    /** Cuts that remove a refused upgrade offer: Upgrade tokens, Connection options, HTTP2-Settings lines. */
    private final UnitCuts upgradeCuts = new UnitCuts();
    private final UnitCuts connectionCuts = new UnitCuts();
    private final UnitCuts settingsCuts = new UnitCuts();
    /** Cuts that remove the close option of Connection lines; and with the upgrade offer's options too. */
    private final UnitCuts closeCuts = new UnitCuts();
    private final UnitCuts connectionAndCloseCuts = new UnitCuts();

    RequestHeadParser(HttpPolicy policy, RuleEnforcer rules) {
        this.policy = policy;
        this.rules = rules;
    }

    /** The request whose head is being read, or was read last. */
    Request request() {
        return request;
    }

    /** Prepares for the next request on the connection. */
    void startNext() {
        request = new Request();
        cuts.clear();
        lengthLines.clear();
        upgradeCuts.clear();
        connectionCuts.clear();
        settingsCuts.clear();
        closeCuts.clear();
        connectionAndCloseCuts.clear();
    }

    @Override
    public int lineBudget() {
        if (request.part == Request.Part.REQUEST_LINE) {
            return Math.min(policy.maxRequestLine(), policy.maxHeaderSection());
        }
        return Math.min(policy.maxFieldLine(), policy.maxHeaderSection() - request.sectionUsed);
    }

    @Override
    public HttpRule overBudgetRule() {
        if (request.part == Request.Part.REQUEST_LINE) {
            return policy.maxRequestLine() <= policy.maxHeaderSection() ? HttpRule.LIMIT_REQUEST_LINE : HttpRule.LIMIT_HEADER_SECTION;
        }
        return policy.maxFieldLine() <= policy.maxHeaderSection() - request.sectionUsed ? HttpRule.LIMIT_FIELD_LINE : HttpRule.LIMIT_HEADER_SECTION;
    }

    @Override
    public Step line(ByteBuffer src, int from, int to, int unitOffset, Decisions out) {
        request.sectionUsed += to - from;
        int end = FieldLineParser.contentEnd(src, from, to, rules, out);
        if (end < 0) {
            return Step.REFUSED;
        }
        if (request.part == Request.Part.REQUEST_LINE) {
            if (end == from) {
                return emptyLineBeforeRequest(src, from, to, unitOffset, out);
            }
            if (requestLineRefused(src, from, end, unitOffset, out)) {
                return Step.REFUSED;
            }
            request.part = Request.Part.FIELDS;
            return Step.MORE;
        }
        if (end == from) {
            return finish(src, from, to, out);
        }
        return fieldLine(src, from, end, to, unitOffset, out);
    }

    // ---- request line ----

    /** Ignored, and not forwarded, up to {@link #MAX_EMPTY_LINES}: some clients end a body with an extra CRLF. */
    private Step emptyLineBeforeRequest(ByteBuffer src, int from, int to, int unitOffset, Decisions out) {
        if (++request.emptyLines > MAX_EMPTY_LINES) {
            return refused(HttpRule.REQUEST_LINE_INVALID, "more than " + MAX_EMPTY_LINES + " empty lines before the request line",
                    src, from, to, out);
        }
        cuts.add(unitOffset, unitOffset + to - from);
        return Step.MORE;
    }

    private boolean requestLineRefused(ByteBuffer src, int from, int end, int unitOffset, Decisions out) {
        int sp1 = HttpGrammar.indexOf(src, from, end, ' ');
        int sp2 = sp1 < 0 ? -1 : HttpGrammar.indexOf(src, sp1 + 1, end, ' ');
        if (sp1 <= from || sp2 <= sp1 + 1 || !HttpGrammar.isToken(src, from, sp1) || !HttpGrammar.isVisible(src, sp1 + 1, sp2)) {
            return rules.refuses(HttpRule.REQUEST_LINE_INVALID, "request line is not method SP target SP version", src, from, end, out);
        }
        if (versionRefused(src, sp2 + 1, end, out)) {
            return true;
        }
        if (out.describes()) {
            request.method = ascii(src, from, Math.min(sp1, from + MAX_DESCRIBED));
            int query = HttpGrammar.indexOf(src, sp1 + 1, sp2, '?'); // a query may carry tokens: kept out of the log
            request.target = ascii(src, sp1 + 1, Math.min(query < 0 ? sp2 : query, sp1 + 1 + MAX_DESCRIBED));
        }
        return methodRefused(src, from, sp1, out) || targetRefused(src, from, sp1 + 1, sp2, end, unitOffset, out);
    }

    private boolean versionRefused(ByteBuffer src, int v, int end, Decisions out) {
        boolean shaped = end - v == 8 && HttpGrammar.equalsAscii(src, v, v + 5, "HTTP/")
                && HttpGrammar.isDigit(src.get(v + 5)) && src.get(v + 6) == '.' && HttpGrammar.isDigit(src.get(v + 7));
        if (!shaped) {
            return rules.refuses(HttpRule.REQUEST_LINE_INVALID, "version is not HTTP/DIGIT.DIGIT", src, v, end, out);
        }
        if (src.get(v + 5) != '1' || (src.get(v + 7) != '0' && src.get(v + 7) != '1')) {
            return rules.refuses(HttpRule.VERSION_UNSUPPORTED, "version other than HTTP/1.0 and HTTP/1.1", src, v, end, out);
        }
        request.version = src.get(v + 7) == '0' ? 10 : 11;
        return false;
    }

    private boolean methodRefused(ByteBuffer src, int from, int to, Decisions out) {
        request.head = HttpGrammar.equalsAscii(src, from, to, "HEAD");
        request.connect = HttpGrammar.equalsAscii(src, from, to, "CONNECT");
        request.needsLength = HttpGrammar.equalsAscii(src, from, to, "POST") || HttpGrammar.equalsAscii(src, from, to, "PUT")
                || HttpGrammar.equalsAscii(src, from, to, "PATCH");
        request.noContentExpected = request.head || request.connect || HttpGrammar.equalsAscii(src, from, to, "GET")
                || HttpGrammar.equalsAscii(src, from, to, "DELETE") || HttpGrammar.equalsAscii(src, from, to, "TRACE");
        if (request.connect) {
            return !policy.allowConnect() && rules.refuses(HttpRule.METHOD_CONNECT, "CONNECT while allowConnect is off", src, from, to, out);
        }
        if (policy.methods().isEmpty() || contains(policy.methods(), src, from, to)) {
            return false;
        }
        if (contains(KNOWN, src, from, to)) {
            return rules.refuses(HttpRule.METHOD_NOT_ALLOWED, "method not allowed here", src, from, to, out);
        }
        return rules.refuses(HttpRule.METHOD_UNKNOWN, "unknown method", src, from, to, out);
    }

    private boolean targetRefused(ByteBuffer src, int line, int t, int end, int lineEnd, int unitOffset, Decisions out) {
        if (request.connect) {
            return !HttpGrammar.isAuthority(src, t, end)
                    && rules.refuses(HttpRule.TARGET_INVALID, "CONNECT target is not host:port", src, line, lineEnd, out);
        }
        if (end - t == 1 && src.get(t) == '*') {
            return !HttpGrammar.equalsAscii(src, line, t - 1, "OPTIONS")
                    && rules.refuses(HttpRule.TARGET_INVALID, "asterisk-form target outside OPTIONS", src, line, lineEnd, out);
        }
        int pathStart = t;
        if (src.get(t) != '/') {
            int afterScheme = HttpGrammar.schemeEnd(src, t, end);
            if (afterScheme < 0) {
                return rules.refuses(HttpRule.TARGET_INVALID, "target is neither origin-form nor absolute-form", src, line, lineEnd, out);
            }
            if (rules.refuses(HttpRule.TARGET_ABSOLUTE_FORM, "absolute-form target", src, line, lineEnd, out)) {
                return true;
            }
            pathStart = HttpGrammar.authorityEnd(src, afterScheme, end);
            if (absoluteFormRefused(src, t, afterScheme, pathStart, end, line, lineEnd, unitOffset, out)) {
                return true;
            }
        }
        if (!HttpGrammar.isTarget(src, t, end)
                && rules.refuses(HttpRule.TARGET_INVALID, "target byte outside RFC 3986 or bad percent-escape", src, line, lineEnd, out)) {
            return true;
        }
        int query = HttpGrammar.indexOf(src, pathStart, end, '?');
        return pathRefused(src, pathStart, query < 0 ? end : query, line, lineEnd, out);
    }

    /**
     * RFC 9112 section 3.2.2: an {@code http} or {@code https} URI with an authority and no
     * userinfo. It is forwarded in origin form ({@code GET http://a/p?q} goes on as {@code GET /p?q}),
     * so that a backend that reads only origin form routes it by Host, which must agree with it.
     */
    private boolean absoluteFormRefused(ByteBuffer src, int t, int afterScheme, int authorityEnd, int end, int line,
            int lineEnd, int unitOffset, Decisions out) {
        boolean http = HttpGrammar.equalsIgnoreCase(src, t, afterScheme, "http://")
                || HttpGrammar.equalsIgnoreCase(src, t, afterScheme, "https://");
        if (!http || !(HttpGrammar.isAuthority(src, afterScheme, authorityEnd) || HttpGrammar.isHostOnly(src, afterScheme, authorityEnd))) {
            return rules.refuses(HttpRule.TARGET_INVALID, "absolute-form target is not http(s)://host[:port] followed by a path",
                    src, line, lineEnd, out);
        }
        byte[] authority = new byte[authorityEnd - afterScheme];
        src.get(afterScheme, authority);
        request.targetAuthority = new String(authority, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        int base = unitOffset - line;
        if (authorityEnd < end && src.get(authorityEnd) == '/') {
            cuts.add(base + t, base + authorityEnd);
        } else {
            // no path: keep the second slash of "scheme://" as the path "/"
            cuts.add(base + t, base + afterScheme - 1);
            cuts.add(base + afterScheme, base + authorityEnd);
        }
        return false;
    }

    private boolean pathRefused(ByteBuffer src, int from, int to, int line, int lineEnd, Decisions out) {
        if (HttpGrammar.hasEncodedSlash(src, from, to)
                && rules.refuses(HttpRule.TARGET_ENCODED_SLASH, "encoded slash or backslash in the path", src, line, lineEnd, out)) {
            return true;
        }
        if (HttpGrammar.hasDotSegment(src, from, to)
                && rules.refuses(HttpRule.TARGET_DOT_SEGMENT, "dot segment in the path", src, line, lineEnd, out)) {
            return true;
        }
        if (policy.denyPaths().isEmpty()) {
            return false;
        }
        byte[] raw = new byte[to - from];
        src.get(from, raw);
        String path = new String(raw, StandardCharsets.ISO_8859_1);
        String resolved = HttpGrammar.hasDotSegment(src, from, to) ? DotSegments.remove(path) : path;
        for (Pattern deny : policy.denyPaths()) {
            if (deny.matcher(path).find() || deny.matcher(resolved).find()) {
                return rules.refuses(HttpRule.TARGET_DENIED, "path matches denyPaths pattern " + deny.pattern(), src, line, lineEnd, out);
            }
        }
        return false;
    }

    // ---- field lines ----

    private Step fieldLine(ByteBuffer src, int from, int end, int to, int unitOffset, Decisions out) {
        request.fieldCount++;
        if (request.fieldCount > policy.maxFields()) {
            return refused(HttpRule.LIMIT_FIELD_COUNT, "more than " + policy.maxFields() + " fields", src, from, end, out);
        }
        if (field.refuses(src, from, end, rules, out)) {
            return Step.REFUSED;
        }
        if (field.spaceStart() < field.colon()) {
            cuts.add(unitOffset + field.spaceStart() - from, unitOffset + field.colon() - from);
        }
        return meaningRefused(src, from, end, to, unitOffset, out) ? Step.REFUSED : Step.MORE;
    }

    private boolean meaningRefused(ByteBuffer src, int from, int end, int to, int unitOffset, Decisions out) {
        int nameEnd = field.nameEnd();
        if (HttpGrammar.readsAsRoutingField(src, from, nameEnd)) {
            return rules.refuses(HttpRule.HEADER_LOOKALIKE,
                    "field name reads as a framing or routing field to a backend that maps or drops underscores", src, from, end, out);
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "authorization")
                || HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "proxy-authorization")
                || HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "cookie")) {
            request.credentials = true;
            request.connectionAuth |= !HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "cookie")
                    && HttpGrammar.isConnectionAuthScheme(src, field.valueStart(), field.valueEnd());
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "host")) {
            return hostRefused(src, from, end, out);
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "content-length")) {
            lengthLines.add(unitOffset, unitOffset + to - from);
            return contentLengthRefused(src, from, end, out);
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "transfer-encoding")) {
            return transferEncodingRefused(src, from, end, out);
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "expect")) {
            return !HttpGrammar.equalsIgnoreCase(src, field.valueStart(), field.valueEnd(), "100-continue")
                    && rules.refuses(HttpRule.EXPECT_UNKNOWN, "Expect other than 100-continue", src, from, end, out);
        }
        if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "connection")) {
            readConnection(src, field.valueStart(), field.valueEnd());
            int base = unitOffset - from;
            ListCuts.remove(src, from, to, field.valueStart(), field.valueEnd(), base, connectionCuts,
                    (s, e) -> isUpgradeOption(src, s, e));
            ListCuts.remove(src, from, to, field.valueStart(), field.valueEnd(), base, closeCuts,
                    (s, e) -> HttpGrammar.equalsIgnoreCase(src, s, e, "close"));
            ListCuts.remove(src, from, to, field.valueStart(), field.valueEnd(), base, connectionAndCloseCuts,
                    (s, e) -> isUpgradeOption(src, s, e) || HttpGrammar.equalsIgnoreCase(src, s, e, "close"));
        } else if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "http2-settings")) {
            settingsCuts.add(unitOffset, unitOffset + to - from);
        } else if (HttpGrammar.equalsIgnoreCase(src, from, nameEnd, "upgrade")) {
            request.upgradeField = true;
            return upgradeRefused(src, from, end, to, unitOffset, out);
        }
        return false;
    }

    private static boolean isUpgradeOption(ByteBuffer src, int start, int end) {
        return HttpGrammar.equalsIgnoreCase(src, start, end, "upgrade") || HttpGrammar.equalsIgnoreCase(src, start, end, "http2-settings");
    }

    /**
     * A protocol offered ({@code name[/version]}, comma separated) that the options do not allow is
     * refused if the rule is enforced, otherwise removed from the offer (RFC 9110 section 7.8: a
     * server may ignore an offer), so that the backend never switches to it.
     */
    private boolean upgradeRefused(ByteBuffer src, int from, int end, int to, int unitOffset, Decisions out) {
        int base = unitOffset - from;
        int kept = ListCuts.remove(src, from, to, field.valueStart(), field.valueEnd(), base, upgradeCuts,
                (s, e) -> !allowedUpgrade(src, s, HttpGrammar.protocolNameEnd(src, s, e)));
        request.upgradesKept += kept;
        request.h2cKept |= policy.upgradeProtocols().contains("h2c") && offers(src, field.valueStart(), field.valueEnd(), "h2c");
        boolean stripped = !upgradeCuts.isEmpty();
        return stripped && rules.refuses(HttpRule.UPGRADE_PROTOCOL, "Upgrade to a protocol not in upgradeProtocols", src, from, end, out);
    }

    private boolean offers(ByteBuffer src, int from, int to, String protocol) {
        int i = from;
        while (i <= to) {
            int e = HttpGrammar.indexOf(src, i, to, ',');
            e = e < 0 ? to : e;
            int s = HttpGrammar.trimStart(src, i, e);
            if (HttpGrammar.equalsIgnoreCase(src, s, HttpGrammar.protocolNameEnd(src, s, HttpGrammar.trimEnd(src, s, e)), protocol)) {
                return true;
            }
            i = e + 1;
        }
        return false;
    }

    private boolean allowedUpgrade(ByteBuffer src, int from, int to) {
        for (String protocol : policy.upgradeProtocols()) {
            if (HttpGrammar.equalsIgnoreCase(src, from, to, protocol)) {
                return true;
            }
        }
        return false;
    }

    private boolean hostRefused(ByteBuffer src, int from, int end, Decisions out) {
        request.hostCount++;
        if (request.hostCount > 1 && rules.refuses(HttpRule.HOST_DUPLICATE, "Host given more than once", src, from, end, out)) {
            return true;
        }
        int vs = field.valueStart();
        int ve = field.valueEnd();
        if (!HttpGrammar.isAuthority(src, vs, ve) && !HttpGrammar.isHostOnly(src, vs, ve)) {
            return rules.refuses(HttpRule.HOST_INVALID, vs == ve ? "Host is empty" : "Host is not host[:port]", src, from, end, out);
        }
        return !request.targetAuthority.isEmpty() && !HttpGrammar.equalsIgnoreCase(src, vs, ve, request.targetAuthority)
                && rules.refuses(HttpRule.HOST_MISMATCH, "Host differs from the absolute-form target's authority", src, from, end, out);
    }

    private boolean contentLengthRefused(ByteBuffer src, int from, int end, Decisions out) {
        int i = field.valueStart();
        int ve = field.valueEnd();
        do {
            int e = HttpGrammar.indexOf(src, i, ve, ',');
            e = e < 0 ? ve : e;
            long value = HttpGrammar.decimal(src, HttpGrammar.trimStart(src, i, e), HttpGrammar.trimEnd(src, i, e));
            if (value < 0) {
                return rules.refuses(HttpRule.CL_INVALID, "Content-Length is not 1*DIGIT", src, from, end, out);
            }
            if (request.contentLength >= 0 && value != request.contentLength) {
                return rules.refuses(HttpRule.CL_CONFLICT, "Content-Length values differ", src, from, end, out);
            }
            if (request.contentLength >= 0 && rules.refuses(HttpRule.CL_DUPLICATE, "Content-Length repeated", src, from, end, out)) {
                return true;
            }
            request.contentLength = value;
            i = e + 1;
        } while (i <= ve);
        return false;
    }

    /** Transfer-Encoding must be written the one way every backend reads alike: {@code chunked} or {@code gzip, chunked}. */
    private boolean transferEncodingRefused(ByteBuffer src, int from, int end, Decisions out) {
        if (request.transferEncoding) {
            return rules.refuses(HttpRule.TE_OBFUSCATED, "Transfer-Encoding repeated", src, from, end, out);
        }
        request.transferEncoding = true;
        if (request.version == 10) {
            return rules.refuses(HttpRule.TE_HTTP10, "Transfer-Encoding in HTTP/1.0", src, from, end, out);
        }
        int first = field.colon() + 1 < end && src.get(field.colon() + 1) == ' ' ? field.colon() + 2 : field.colon() + 1;
        return codingsRefused(src, from, first, end, out);
    }

    /** Lower-case codings separated by {@code ","} or {@code ", "}, chunked once and last. */
    private boolean codingsRefused(ByteBuffer src, int from, int first, int end, Decisions out) {
        boolean chunkedSeen = false;
        boolean chunkedLast = false;
        int i = first;
        while (i <= end) {
            int comma = HttpGrammar.indexOf(src, i, end, ',');
            int elementEnd = comma < 0 ? end : comma;
            if (!HttpGrammar.isLowerToken(src, i, elementEnd)) {
                return rules.refuses(HttpRule.TE_OBFUSCATED,
                        "Transfer-Encoding element is empty, not lower case, or has whitespace or parameters", src, from, end, out);
            }
            chunkedLast = HttpGrammar.equalsAscii(src, i, elementEnd, "chunked");
            if (chunkedLast && chunkedSeen) {
                return rules.refuses(HttpRule.TE_OBFUSCATED, "chunked given twice", src, from, end, out);
            }
            if (!chunkedLast && !HttpGrammar.isKnownTransferCoding(src, i, elementEnd)) {
                return rules.refuses(HttpRule.TE_UNKNOWN, "unknown transfer coding", src, from, end, out);
            }
            chunkedSeen |= chunkedLast;
            i = comma < 0 ? end + 1 : comma + 1 < end && src.get(comma + 1) == ' ' ? comma + 2 : comma + 1;
        }
        return !chunkedLast && rules.refuses(HttpRule.TE_NOT_CHUNKED_LAST, "last transfer coding is not chunked", src, from, end, out);
    }

    private void readConnection(ByteBuffer src, int from, int to) {
        int i = from;
        while (i <= to) {
            int e = HttpGrammar.indexOf(src, i, to, ',');
            e = e < 0 ? to : e;
            int s = HttpGrammar.trimStart(src, i, e);
            int t = HttpGrammar.trimEnd(src, i, e);
            request.connectionClose |= HttpGrammar.equalsIgnoreCase(src, s, t, "close");
            request.connectionKeepAlive |= HttpGrammar.equalsIgnoreCase(src, s, t, "keep-alive");
            request.connectionUpgrade |= HttpGrammar.equalsIgnoreCase(src, s, t, "upgrade");
            i = e + 1;
        }
    }

    // ---- end of the head ----

    private Step finish(ByteBuffer src, int from, int to, Decisions out) {
        if (request.version == 11 && request.hostCount == 0
                && rules.refuses(HttpRule.HOST_MISSING, "HTTP/1.1 request without Host", src, from, to, out)) {
            return Step.REFUSED;
        }
        if (request.transferEncoding && request.contentLength >= 0 && lengthRefusedWithEncoding(src, from, to, out)) {
            return Step.REFUSED;
        }
        if (!request.transferEncoding && request.contentLength < 0 && request.needsLength
                && rules.refuses(HttpRule.LENGTH_REQUIRED, "no Content-Length or Transfer-Encoding", src, from, to, out)) {
            return Step.REFUSED;
        }
        if (request.noContentExpected && (request.transferEncoding || request.contentLength > 0)
                && rules.refuses(HttpRule.BODY_UNEXPECTED, "content on a method that has none", src, from, to, out)) {
            return Step.REFUSED;
        }
        if (policy.maxBodySize() >= 0 && request.contentLength > policy.maxBodySize()
                && rules.refuses(HttpRule.BODY_TOO_LARGE, "Content-Length above maxBodySize", src, from, to, out)) {
            return Step.REFUSED;
        }
        boolean offerRemoved = !upgradeCuts.isEmpty() && request.upgradesKept == 0;
        // not once sanitize decided the connection ends (RFC 9112 section 6.1): the server must see the close
        boolean withholdClose = request.connectionClose && request.version == 11 && policy.testReply() && !request.connect
                && !request.closeAfter()
                && (offerRemoved || !(request.upgradeField && request.connectionUpgrade));
        removeRefusedUpgradeOffer(offerRemoved, withholdClose);
        request.closeWithheld = withholdClose;
        request.upgrade = request.upgradeField && request.connectionUpgrade;
        if (request.upgrade && !policy.testReply()) {
            if (rules.refuses(HttpRule.UPGRADE_UNTRACKED, "Upgrade cannot be followed without testReply", src, from, to, out)) {
                return Step.REFUSED;
            }
            request.upgrade = false;
        }
        if (request.connectionClose || (request.version == 10 && !request.connectionKeepAlive)) {
            request.closeAfterResponse();
        }
        request.part = Request.Part.DONE;
        return Step.DONE;
    }

    /**
     * What is left of an offer once the protocols not allowed are cut: nothing of it when none is
     * allowed ({@code offerRemoved}). {@code withholdClose}: the Connection lines lose their close
     * option too.
     */
    private void removeRefusedUpgradeOffer(boolean offerRemoved, boolean withholdClose) {
        if (!upgradeCuts.isEmpty()) {
            cuts.addAll(upgradeCuts);
            if (!request.h2cKept) {
                cuts.addAll(settingsCuts);
            }
        }
        if (offerRemoved) {
            cuts.addAll(withholdClose ? connectionAndCloseCuts : connectionCuts);
            request.upgradeField = false;
        } else if (withholdClose) {
            cuts.addAll(closeCuts);
        }
    }

    /** RFC 9112 section 6.1: refuse, or (sanitize) drop Content-Length and close after the response. */
    private boolean lengthRefusedWithEncoding(ByteBuffer src, int from, int to, Decisions out) {
        if (!policy.sanitize()) {
            return rules.refuses(HttpRule.CL_TE_BOTH, "both Transfer-Encoding and Content-Length", src, from, to, out);
        }
        out.report(new Violation(HttpRule.CL_TE_BOTH.ruleName(), RuleMode.LOG,
                "both Transfer-Encoding and Content-Length: Content-Length dropped, connection closed after the response", ""));
        cuts.addAll(lengthLines);
        request.contentLength = -1;
        request.closeAfterResponse();
        return false;
    }

    private Step refused(HttpRule rule, String detail, ByteBuffer src, int from, int to, Decisions out) {
        rules.refuses(rule, detail, src, from, to, out);
        return Step.REFUSED;
    }

    // ---- results ----

    /** What must not be forwarded of the head: rewrites of relaxed rules. */
    UnitCuts cuts() {
        return cuts;
    }

    // ---- small grammar pieces ----

    private static String ascii(ByteBuffer src, int from, int to) {
        byte[] bytes = new byte[to - from];
        src.get(from, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static boolean contains(List<byte[]> methods, ByteBuffer src, int from, int to) {
        for (byte[] method : methods) {
            if (HttpGrammar.equalsBytes(src, from, to, method)) {
                return true;
            }
        }
        return false;
    }

}
