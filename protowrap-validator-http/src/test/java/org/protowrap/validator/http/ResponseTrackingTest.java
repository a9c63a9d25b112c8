package org.protowrap.validator.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/** The session follows responses: what ends them, what they switch to, and when its own refusal may be sent. */
class ResponseTrackingTest {

    private final ValidatorSession session = SessionDriver.validator().newSession(SessionCorpus.INFO);
    private final Ordered out = new Ordered();

    /** Also keeps the order of the decisions: bytes for either side, abort, close, raw. */
    private static final class Ordered extends RecordingDecisions {
        final List<String> events = new ArrayList<>();

        @Override
        public void sendToServer(ByteBuffer bytes) {
            event("server");
            super.sendToServer(bytes);
        }

        @Override
        public void sendToClient(ByteBuffer bytes) {
            event("client:" + ISO_8859_1.decode(bytes.duplicate()));
            super.sendToClient(bytes);
        }

        @Override
        public void abortServer() {
            event("abort");
            super.abortServer();
        }

        @Override
        public void close() {
            event("close");
            super.close();
        }

        @Override
        public void relayRaw(String reason) {
            event("raw");
            super.relayRaw(reason);
        }

        private void event(String what) {
            if (!closed()) {
                events.add(what);
            }
        }
    }

    private void client(String text) {
        session.onClientData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    private void server(String text) {
        session.onServerData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    private List<String> kinds() {
        return out.events.stream().map(e -> e.split(":", 2)[0]).toList();
    }

    @Test
    void aHeadAndItsContentInOneReadGoToTheClientInOneSend() {
        client("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        server("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(List.of("server", "client", "client"), kinds(), out.events.toString());
        assertEquals("client:HTTP/1.1 100 Continue\r\n\r\n", out.events.get(1), "an interim head goes alone");
        assertEquals("client:HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", out.events.get(2));
    }

    @Test
    void headResponseHasNoBodyDespiteContentLength() {
        client("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\n\r\n");
        assertEquals(List.of("http.host.missing"), SessionDriver.enforced(out));
        assertFalse(out.closed(), "refusal waits for the HEAD response");
        server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
        assertTrue(out.closed());
        assertTrue(out.client().startsWith("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 400 "), out.client());
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        server("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n");
        assertFalse(out.closed(), "one response still due");
        server("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
        assertTrue(out.closed());
        assertEquals(List.of("server", "client", "client", "client", "close"), kinds());
        assertTrue(out.events.get(3).startsWith("client:HTTP/1.1 400 "), out.events.toString());
    }

    @Test
    void interimResponsesDoNotEndTheExchange() {
        client("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        server("HTTP/1.1 100 Continue\r\n\r\n");
        client("dataGET / HTTP/1.1\r\n\r\n");
        assertEquals(List.of("http.host.missing"), SessionDriver.enforced(out));
        assertFalse(out.closed(), "the 100 was not the final response");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertTrue(out.closed());
        assertEquals("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata", out.server());
        assertTrue(out.client().startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 400 "));
    }

    @Test
    void switchingProtocolsRelaysRawWithHeldBytes() {
        client("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
        client("\u0081\u0080frame");
        assertEquals("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", out.server(),
                "bytes after the upgrade request wait for its response");
        server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0082\u0001x");
        assertEquals("101 Switching Protocols", out.rawReason().orElseThrow());
        assertTrue(out.server().endsWith("\u0081\u0080frame"));
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0082\u0001x", out.client());
        assertEquals("raw", kinds().get(kinds().size() - 1), "raw relay only after everything held was sent");
    }

    @Test
    void switchingProtocolsWithoutAnUpgradeRequestIsBroken() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 101 Switching Protocols\r\n\r\n");
        assertEquals(List.of("http.response.framing"), SessionDriver.enforced(out));
        assertTrue(out.closed());
        assertFalse(out.rawReason().isPresent());
    }

    @Test
    void chunkedResponseEndsAtItsLastChunk() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: z\r\n\r\n");
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;ext\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n";
        for (char c : response.toCharArray()) {
            assertFalse(out.closed(), "closed before the end of the chunked response");
            server(String.valueOf(c));
        }
        assertTrue(out.closed());
        assertTrue(out.client().startsWith(response + "HTTP/1.1 400 "));
    }

    @Test
    void closeDelimitedResponseEndsWhenTheServerCloses() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
        server("HTTP/1.1 200 OK\r\n\r\nuntil close");
        assertFalse(out.closed());
        session.onServerEnd(out);
        assertTrue(out.closed());
        assertTrue(out.client().startsWith("HTTP/1.1 200 OK\r\n\r\nuntil closeHTTP/1.1 400 "));
    }

    @Test
    void refusalIsNeverSentInsideAResponse() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
        client("BAD");
        client(" request\r\n\r\n");
        assertEquals(List.of("http.request-line.invalid"), SessionDriver.enforced(out));
        assertFalse(out.closed());
        server("56789HTTP/1.1 200 OK\r\n");
        assertTrue(out.closed());
        assertTrue(out.client().startsWith("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789HTTP/1.1 400 "),
                "refusal after the complete response, the unexpected bytes after it dropped: " + out.client());
    }

    @Test
    void refusalInsideABodyAbortsTheServerAfterEarlierResponses() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
        client("loX");
        assertFalse(out.aborted(), "the earlier response must not be lost");
        server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
        // the earlier response (head and content in one send), then the abort, then the refusal
        assertEquals(List.of("server", "server", "client", "abort", "client", "close"), kinds());
    }

    @Test
    void connectionCloseRequestClosesAfterItsResponse() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        assertFalse(out.closed());
        server("ok");
        assertTrue(out.closed());
    }

    @Test
    void connectTunnelAfterTwoHundred() {
        ValidatorSession tunnel = SessionDriver.validator(true, Map.of(), Map.of("allowConnect", true)).newSession(SessionCorpus.INFO);
        tunnel.onClientData(ByteBuffer.wrap("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n".getBytes(ISO_8859_1)), out);
        tunnel.onServerData(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertEquals("CONNECT tunnel established", out.rawReason().orElseThrow());
    }

    @Test
    void refusedConnectResumesHttp() {
        ValidatorSession tunnel = SessionDriver.validator(true, Map.of(), Map.of("allowConnect", true)).newSession(SessionCorpus.INFO);
        tunnel.onClientData(ByteBuffer.wrap("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertEquals("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\n", out.server());
        tunnel.onServerData(ByteBuffer.wrap("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertFalse(out.rawReason().isPresent());
        assertEquals("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", out.server());
    }

    @Test
    void responseWithConflictingLengthsIsBroken() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        assertEquals(List.of("http.response.framing"), SessionDriver.enforced(out));
        assertTrue(out.closed());
    }

    @Test
    void refusalsNameTheRuleUnlessExposeRuleIsOff() {
        session.onClientData(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertTrue(out.client().endsWith("\r\n\r\nBad Request (http.host.missing)\n"), out.client());
        ValidatorSession hiding = SessionDriver.validator(true, Map.of(), Map.of("exposeRule", false)).newSession(SessionCorpus.INFO);
        RecordingDecisions quiet = new RecordingDecisions();
        hiding.onClientData(ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(ISO_8859_1)), quiet);
        assertFalse(quiet.client().contains("http."), quiet.client());
        assertTrue(quiet.reports().get(0).rule().equals("http.host.missing"), "the log always names the rule");
    }

    @Test
    void methodNotAllowedListsTheAllowedMethods() {
        ValidatorSession listing = SessionDriver.validator(true, Map.of(), Map.of("methods", List.of("GET", "HEAD")))
                .newSession(SessionCorpus.INFO);
        listing.onClientData(ByteBuffer.wrap("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertTrue(out.client().startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
        assertTrue(out.client().contains("\r\nAllow: GET, HEAD\r\n"), out.client());
    }

    @Test
    void pipelineLimitCountsOnlyRequestsAwaitingAResponse() {
        ValidatorSession one = SessionDriver.validator(true, Map.of(), Map.of("maxPipelined", 1)).newSession(SessionCorpus.INFO);
        for (int i = 1; i <= 3; i++) {
            one.onClientData(ByteBuffer.wrap(("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(ISO_8859_1)), out);
            one.onServerData(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(ISO_8859_1)), out);
        }
        assertEquals(List.of(), out.reports());
        one.onClientData(ByteBuffer.wrap("GET /4 HTTP/1.1\r\nHost: a\r\n\r\nGET /5 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(ISO_8859_1)), out);
        assertEquals(List.of("http.limit.pipeline"), SessionDriver.enforced(out));
        assertTrue(out.server().endsWith("GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"), out.server());
    }

    @Test
    void upgradeDeclinedBeforeItsBodyEndsStaysHttp() {
        client("POST /up HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\nContent-Length: 4\r\n\r\nab");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        client("cdGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        assertTrue(out.server().endsWith("cdGET /next HTTP/1.1\r\nHost: a\r\n\r\n"), out.server());
        assertEquals(List.of(), out.reports());
    }

    @Test
    void credentialsAreRedactedFromExcerpts() {
        client("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic c2VjcmV0OnB3\u0001\r\n\r\n");
        assertEquals(List.of("http.header.value-invalid"), SessionDriver.enforced(out));
        String excerpt = out.reports().get(0).excerpt();
        assertTrue(excerpt.startsWith("Authorization: <redacted>"), excerpt);
        assertFalse(excerpt.contains("c2VjcmV0"), excerpt);
    }

    @Test
    void theEnginesOwnRefusalMayComeOnlyBetweenResponses() {
        assertTrue(session.mayRefuseNow(), "nothing sent yet");
        client("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        assertTrue(session.mayRefuseNow(), "awaiting the response: a refusal would be read as it");
        server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        assertFalse(session.mayRefuseNow(), "in the middle of a body");
        server("world");
        assertTrue(session.mayRefuseNow(), "the response is complete");
        client("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-");
        assertFalse(session.mayRefuseNow(), "in the middle of a head");
        server("Length: 0\r\n\r\n");
        client("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n");
        server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
        assertFalse(session.mayRefuseNow(), "another protocol now");
    }

    @Test
    void headsWithCredentialsAreSentAsSuchSoThatTheLogLeavesThemOut() {
        String authorized = "GET /a HTTP/1.1\r\nHost: a\r\nAuthorization: Basic c2VjcmV0\r\n\r\n";
        client(authorized);
        assertEquals(authorized, out.credentialsText());
        server("HTTP/1.1 204 No Content\r\n\r\n");
        client("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(authorized, out.credentialsText(), "a head without credentials is plain");
        server("HTTP/1.1 204 No Content\r\n\r\n");
        client("GET /c HTTP/1.1\r\nHost: a\r\nCoo");
        client("kie: s=1\r\n\r\n");
        assertEquals(authorized + "GET /c HTTP/1.1\r\nHost: a\r\nCookie: s=1\r\n\r\n",
                out.credentialsText(), "a head held across reads");
        assertTrue(out.server().endsWith("Cookie: s=1\r\n\r\n"), out.server());
    }
}
