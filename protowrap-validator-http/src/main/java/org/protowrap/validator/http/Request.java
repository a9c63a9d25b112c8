package org.protowrap.validator.http;

/**
 * One request on the connection: what its head says, as {@link RequestHeadParser} reads it line by
 * line, and what the session learns about it afterwards (a drain, an early answer). A new one is
 * made for every request, so nothing of a request outlives it and nothing is reset by hand.
 *
 * <p>The fields are the parser's to write while it reads the head; once the head is complete the
 * session reads the results through the methods.
 */
final class Request {

    /** How the body of the request is delimited. */
    enum Framing { NONE, LENGTH, CHUNKED }

    /** Where the parser is in the head. */
    enum Part { REQUEST_LINE, FIELDS, DONE }

    // reading progress
    Part part = Part.REQUEST_LINE;
    /** Bytes of the head section read so far. */
    int sectionUsed;
    int fieldCount;
    /** Empty lines read before the request line. */
    int emptyLines;

    // the request line
    /** 10 for HTTP/1.0, 11 for HTTP/1.1. */
    int version = 11;
    /** The method, for the log (shortened); empty when the engine keeps no facts. */
    String method = "";
    /** The target as the client sent it without its query, for the log (shortened); empty when the engine keeps no facts. */
    String target = "";
    /** The authority of an absolute-form target, lower case; empty for other forms. */
    String targetAuthority = "";
    boolean head;
    boolean connect;
    /** POST, PUT, PATCH: a body needs a length. */
    boolean needsLength;
    /** GET, HEAD, DELETE, TRACE, CONNECT: no content is expected. */
    boolean noContentExpected;

    // the fields that decide framing, routing and the connection's fate
    int hostCount;
    /** The Content-Length, or -1 without one (or once dropped by sanitize). */
    long contentLength = -1;
    boolean transferEncoding;
    /** An Authorization, Proxy-Authorization or Cookie field. */
    boolean credentials;
    /** Credentials of a scheme that authenticates the connection (NTLM, Negotiate). */
    boolean connectionAuth;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    boolean upgradeField;
    /** Whether the h2c offer stays once refused protocols are cut. */
    boolean h2cKept;
    /** Protocols of the Upgrade offer that stay. */
    int upgradesKept;

    // the outcome
    /** An upgrade request that may be answered with 101 (only with testReply). */
    boolean upgrade;
    private boolean closeAfter;
    /**
     * The client's {@code Connection: close} was kept from the server, so that the backend
     * connection outlives the client's: the response gets it back on its way to the client.
     */
    boolean closeWithheld;
    /** The server answered before the body was complete, without switching: the connection stays HTTP. */
    private boolean stayedHttp;

    Framing framing() {
        if (transferEncoding) {
            return Framing.CHUNKED;
        }
        return contentLength > 0 ? Framing.LENGTH : Framing.NONE;
    }

    long contentLength() {
        return contentLength;
    }

    String method() {
        return method;
    }

    String target() {
        return target;
    }

    boolean isHead() {
        return head;
    }

    /** A CONNECT request, allowed by the options: a tunnel follows a 2xx response. */
    boolean isConnect() {
        return connect;
    }

    /** An upgrade request that may be answered with 101 (only with testReply). */
    boolean isUpgrade() {
        return upgrade;
    }

    /** Whether the head carries credentials (Authorization, Proxy-Authorization, Cookie). */
    boolean carriesCredentials() {
        return credentials;
    }

    /** Whether the connection ends after this request's response. */
    boolean closeAfter() {
        return closeAfter;
    }

    /** The connection ends after this request's response (the head says so, or the wrapper drains). */
    void closeAfterResponse() {
        closeAfter = true;
    }

    /** Whether the client's bytes after this request wait for its response: it may switch protocols. */
    boolean awaitsSwitch() {
        return (upgrade || connect) && !stayedHttp;
    }

    /** The server answered before the body was complete, without switching. */
    void stayedHttp() {
        stayedHttp = true;
    }
}
