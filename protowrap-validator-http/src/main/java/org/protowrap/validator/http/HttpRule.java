package org.protowrap.validator.http;

import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;

/**
 * Every check the HTTP validator makes, with the status it answers when enforced.
 *
 * <p>A <em>framing</em> rule guards where a message ends, or how much the wrapper must hold in
 * memory: if it were let through, the wrapper and the backend could frame the bytes
 * differently. Such a rule is declared enforce-only ({@link Rule#enforceOnly}): the engine refuses
 * a configuration that sets it to {@code log} or {@code off}, so that no setting can forward
 * ambiguous framing.
 * Every other rule is a policy or a named relaxation and accepts all three modes.
 */
enum HttpRule {
    REQUEST_LINE_INVALID("http.request-line.invalid", 400, true, "the request line is not method SP target SP version CRLF"),
    VERSION_UNSUPPORTED("http.version.unsupported", 505, true, "the HTTP version is neither HTTP/1.0 nor HTTP/1.1"),
    LINE_BARE_LF("http.line.bare-lf", 400, false, "a line of the request head ends in LF without CR"),
    LINE_BARE_CR("http.line.bare-cr", 400, true, "a CR not followed by LF"),
    LINE_NUL("http.line.nul", 400, true, "a NUL byte in the request head, a chunk line or a trailer"),
    LIMIT_REQUEST_LINE("http.limit.request-line", 414, true, "the request line is longer than maxRequestLine"),
    LIMIT_FIELD_LINE("http.limit.field-line", 431, true, "a field line is longer than maxFieldLine"),
    LIMIT_HEADER_SECTION("http.limit.header-section", 431, true, "the request head or trailer section is longer than maxHeaderSection"),
    LIMIT_FIELD_COUNT("http.limit.field-count", 431, true, "more fields than maxFields"),
    LIMIT_PIPELINE("http.limit.pipeline", 429, true, "more requests awaiting a response than maxPipelined"),
    METHOD_UNKNOWN("http.method.unknown", 501, false, "a method outside the methods option that RFC 9110 does not define (only with methods set)"),
    METHOD_NOT_ALLOWED("http.method.not-allowed", 405, false, "a method RFC 9110 defines that is not in the methods option (only with methods set)"),
    METHOD_CONNECT("http.method.connect", 501, true,
            "CONNECT while allowConnect is off (what follows a tunnel is not HTTP; allowConnect enables it)"),
    TARGET_INVALID("http.target.invalid", 400, false, "the request target has bytes outside RFC 3986 or a bad percent-escape"),
    TARGET_ABSOLUTE_FORM("http.target.absolute-form", 400, false, RuleMode.OFF,
            "the request target is in absolute form (http://host/...); accepted by default and forwarded in origin form"),
    TARGET_DOT_SEGMENT("http.target.dot-segment", 400, false, RuleMode.LOG, "the path has a . or .. segment, plain or percent-encoded"),
    TARGET_ENCODED_SLASH("http.target.encoded-slash", 400, false, "the path has an encoded slash or backslash (%2F, %5C)"),
    TARGET_DENIED("http.target.denied", 403, false, "the path matches a denyPaths pattern"),
    HEADER_NAME_INVALID("http.header.name-invalid", 400, true, "a field name that is not a token, or a field line without a colon"),
    HEADER_LOOKALIKE("http.header.lookalike", 400, true,
            "a field name with an underscore that reads as Content-Length, Transfer-Encoding, Host or Connection"
            + " to a backend that ignores or maps underscores (Content_Length, _Host)"),
    HEADER_SPACE_BEFORE_COLON("http.header.space-before-colon", 400, false,
            "whitespace between a field name and its colon (log or off: the whitespace is removed before forwarding)"),
    HEADER_OBS_FOLD("http.header.obs-fold", 400, true, "a field line folded onto the previous one (obs-fold)"),
    HEADER_VALUE_INVALID("http.header.value-invalid", 400, false, "a control byte in a field value"),
    HEADER_UNDERSCORE("http.header.underscore", 400, false, RuleMode.OFF, "a field name with an underscore"),
    HOST_MISSING("http.host.missing", 400, false, "an HTTP/1.1 request without Host"),
    HOST_DUPLICATE("http.host.duplicate", 400, false, "more than one Host field"),
    HOST_INVALID("http.host.invalid", 400, false, "a Host value that is empty or not host[:port]"),
    HOST_MISMATCH("http.host.mismatch", 400, false, "a Host that differs from the authority of an absolute-form target"),
    CL_INVALID("http.cl.invalid", 400, true, "a Content-Length that is not 1*DIGIT, is empty or overflows"),
    CL_CONFLICT("http.cl.conflict", 400, true, "Content-Length values that differ"),
    CL_DUPLICATE("http.cl.duplicate", 400, false, "Content-Length given more than once with the same value"),
    TE_OBFUSCATED("http.te.obfuscated", 400, true,
            "Transfer-Encoding written in a way backends read differently: case, whitespace, empty elements, parameters, repeated"),
    TE_UNKNOWN("http.te.unknown", 501, true, "a transfer coding other than chunked, gzip, deflate, compress, x-gzip, x-compress"),
    TE_NOT_CHUNKED_LAST("http.te.not-chunked-last", 400, true, "Transfer-Encoding whose last coding is not chunked"),
    TE_HTTP10("http.te.http10", 400, true, "Transfer-Encoding in an HTTP/1.0 request"),
    CL_TE_BOTH("http.cl-te.both", 400, true, "both Transfer-Encoding and Content-Length (the sanitize option drops Content-Length)"),
    LENGTH_REQUIRED("http.length.required", 411, false, RuleMode.OFF,
            "a POST, PUT or PATCH request without Content-Length or Transfer-Encoding (an empty body by RFC 9112 section 6.3)"),
    BODY_UNEXPECTED("http.body.unexpected", 400, false,
            "content on GET, HEAD, DELETE, TRACE or CONNECT, which backends that ignore it would read as the next request"),
    EXPECT_UNKNOWN("http.expect.unknown", 417, false, "an Expect other than 100-continue"),
    BODY_TOO_LARGE("http.body.too-large", 413, false, "a body larger than maxBodySize"),
    CHUNK_INVALID("http.chunk.invalid", 400, true, "a chunk-size line, extension or data end that breaks the chunked grammar"),
    TRAILER_FORBIDDEN_FIELD("http.trailer.forbidden-field", 400, false,
            "a trailer field RFC 9110 section 6.5.1 rules out: framing, routing, authentication, Content-*, Cache-Control, Set-Cookie..."),
    UPGRADE_PROTOCOL("http.upgrade.protocol", 400, false, RuleMode.OFF,
            "an Upgrade offer of a protocol not in upgradeProtocols (such as h2c): unless enforced, the offer is removed"
            + " (the Upgrade token, its Connection option, HTTP2-Settings) and the request forwarded"),
    UPGRADE_UNTRACKED("http.upgrade.untracked", 400, false,
            "an Upgrade request while testReply is off, so that a 101 could not be followed"),
    UPGRADE_EARLY_DATA("http.upgrade.early-data", 400, true,
            "more than maxHeaderSection bytes sent after an Upgrade or CONNECT request before its response"),
    RESPONSE_FRAMING("http.response.framing", 502, true,
            "a server response that is not HTTP or whose end cannot be found: 502 if none of it reached the client, else the connection is closed");

    private final Rule rule;
    private final int status;

    HttpRule(String name, int status, boolean framing, String description) {
        this(name, status, framing, RuleMode.ENFORCE, description);
    }

    HttpRule(String name, int status, boolean framing, RuleMode defaultMode, String description) {
        this.rule = framing ? Rule.enforceOnly(name, description) : new Rule(name, defaultMode, description);
        this.status = status;
    }

    /** The public rule, as listed by the provider. */
    Rule rule() {
        return rule;
    }

    String ruleName() {
        return rule.name();
    }

    /**
     * The status of the wrapper's response when the rule is enforced. {@code http.upgrade.early-data}
     * closes the connection without a response (there is no request left to answer);
     * {@code http.response.framing} answers 502 only while none of the broken response went.
     */
    int status() {
        return status;
    }

}
