package org.protowrap.validator.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/**
 * When the session tells the engine that the backend connection could serve another client
 * ({@code serverIdle}), and how a client's {@code Connection: close} is kept from the server so
 * that it can.
 */
class BackendReuseTest {

    private final ValidatorSession session = SessionDriver.validator().newSession(SessionCorpus.INFO);
    private final RecordingDecisions out = new RecordingDecisions();

    private void client(String text) {
        out.fromClient(session, text.getBytes(ISO_8859_1));
    }

    private void server(String text) {
        out.fromServer(session, text.getBytes(ISO_8859_1));
    }

    @Test
    void aCompleteResponseOnAKeepAliveConnectionLeavesTheBackendIdle() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertFalse(out.serverIsIdle(), "a request awaits its response");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nh");
        assertFalse(out.serverIsIdle(), "the response is not complete");
        server("i");
        assertTrue(out.serverIsIdle());
        assertFalse(out.closed());
        client("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertFalse(out.serverIsIdle(), "the next request cancels it");
    }

    @Test
    void theClientsCloseIsWithheldFromTheServerAndGivenBackOnTheResponse() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAccept: */*\r\n\r\n");
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", out.server());
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", out.client());
        assertTrue(out.serverIsIdle(), "the server was never told to close");
        assertTrue(out.closed(), "the client asked to close");
    }

    @Test
    void theServersKeepAliveBecomesTheClose() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nServer: nginx\r\nconnection:  Keep-Alive \r\nContent-Length: 2\r\n"
                + "Keep-Alive: timeout=5, max=100\r\nConnection: keep-alive, x-a\r\nConnection: keep-alive\r\n\r\nhi");
        assertEquals("HTTP/1.1 200 OK\r\nServer: nginx\r\nConnection: close\r\nContent-Length: 2\r\n"
                + "Connection: x-a\r\n\r\nhi", out.client(), "told to close, and nothing else of keeping alive");
    }

    @Test
    void onlyTheResponseToTheRequestThatAskedForTheCloseGivesItBack() {
        client("HEAD /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", out.client(), "the first response is the HEAD's");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n"
                + "Content-Length: 2\r\n\r\nhi", out.client());
        assertTrue(out.closed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HEAD / HTTP/1.1", "GET /204 HTTP/1.1", "GET /304 HTTP/1.1"})
    void aResponseWithoutContentGivesTheCloseBackToo(String requestLine) {
        client(requestLine + "\r\nHost: a\r\nConnection: close\r\n\r\n");
        String status = requestLine.contains("204") ? "204 No Content" : requestLine.contains("304") ? "304 Not Modified" : "200 OK";
        server("HTTP/1.1 " + status + "\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n".replace(
                requestLine.startsWith("HEAD") ? "" : "Content-Length: 5\r\n", ""));
        assertTrue(out.client().contains("\r\nConnection: close\r\n"), out.client());
        assertFalse(out.client().toLowerCase(java.util.Locale.ROOT).contains("keep-alive"), out.client());
        assertTrue(out.closed());
    }

    @Test
    void onlyTheCloseOptionIsWithheldFromAList() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close, x-opt\r\nX-Opt: 1\r\n\r\n");
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-opt\r\nX-Opt: 1\r\n\r\n", out.server());
    }

    @Test
    void aRemovedUpgradeOfferAndTheCloseGoTogether() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n");
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\n\r\n", out.server());
        server("HTTP/1.1 204 No Content\r\n\r\n");
        assertTrue(out.serverIsIdle());
        assertTrue(out.closed());
    }

    @Test
    void anHttp10RequestKeepsItsWayAndItsConnectionIsNotReused() {
        client("GET / HTTP/1.0\r\n\r\n");
        assertEquals("GET / HTTP/1.0\r\n\r\n", out.server());
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        assertFalse(out.serverIsIdle());
    }

    @Test
    void aServerThatEndsItsConnectionEndsTheClientsAfterThatResponseWithoutAFault() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        session.onServerEnd(out);
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", out.client(),
                "the client resends its second request elsewhere, as RFC 9112 section 9.3.2 has it");
        assertTrue(out.closed());
        assertEquals(java.util.List.of(), out.serverFaults());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi",
        "HTTP/1.1 200 OK\r\nConnection: x-a, Close\r\nContent-Length: 2\r\n\r\nhi",
        "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    })
    void aServerThatEndsItsConnectionAfterTheResponseIsNotLeftIdle(String response) {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server(response);
        assertFalse(out.serverIsIdle());
    }

    @Test
    void anHttp10ServerThatKeepsTheConnectionIsLeftIdle() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi");
        assertTrue(out.serverIsIdle());
    }

    @Test
    void notWhilePipelinedRequestsAwaitTheirResponses() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle(), "the second response is owed");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(out.serverIsIdle());
    }

    @Test
    void neverAfterARequestWithABody() {
        client("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle(), "a server that misread the body's length would take the rest as the next client's");
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle(), "nor later on that connection");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization: NTLM TlRMTVNTUAABAAAAB4IIog==", "Authorization: negotiate YIIJ",
        "Proxy-Authorization: NTLM TlRMTVNTUAAB"})
    void neverAfterCredentialsThatAuthenticateTheConnection(String credentials) {
        client("GET / HTTP/1.1\r\nHost: a\r\n" + credentials + "\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle(), "the server serves the next client as this one");
    }

    @Test
    void basicCredentialsAuthenticateTheRequestAndLeaveItReusable() {
        client("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic dTpw\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(out.serverIsIdle());
    }

    @ParameterizedTest
    @ValueSource(strings = {"WWW-Authenticate: Negotiate", "WWW-Authenticate: NTLM", "Proxy-Authenticate: NTLM",
        "Persistent-Auth: true"})
    void neverAfterAChallengeThatAuthenticatesTheConnection(String challenge) {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 401 Unauthorized\r\n" + challenge + "\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle());
    }

    @Test
    void notWhenTheServerSentMoreThanTheResponse() {
        client("HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertFalse(out.serverIsIdle(), "a body after a HEAD response would be the next client's response");
    }

    @Test
    void neverAfterAResponseNobodyAskedFor() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(out.serverIsIdle());
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle());
    }

    @Test
    void notAfterAResponseWithBothLengths() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertFalse(out.serverIsIdle());
    }

    @Test
    void notWhileARequestBodyIsStillOnItsWay() {
        client("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345");
        server("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle(), "the server would read the rest of the body as the next request");
    }

    @Test
    void notAfterAConnectOrUpgradeRequest() {
        client("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        assertFalse(out.serverIsIdle());
    }

    @Test
    void notWhenAnUpgradeIsKeptTheCloseGoesToTheServer() {
        client("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertTrue(out.server().contains("Connection: Upgrade, close\r\n"), out.server());
    }

    @Test
    void notAfterARequestSanitizedForCarryingBothLengths() {
        ValidatorSession sanitizing = SessionDriver.validator(true, Map.of(), Map.of("sanitize", true)).newSession(SessionCorpus.INFO);
        RecordingDecisions o = new RecordingDecisions();
        o.fromClient(sanitizing, ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n"
                + "0\r\n\r\n").getBytes(ISO_8859_1));
        o.fromServer(sanitizing, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(ISO_8859_1));
        assertTrue(o.closed(), "RFC 9112 section 6.1: the connection ends after such a request");
        assertTrue(o.server().contains("Connection: close\r\n"), "the server is told so: " + o.server());
        assertFalse(o.serverIsIdle());
    }

    @Test
    void notWhileDraining() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        session.onDrain(out);
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(out.closed());
        assertFalse(out.serverIsIdle());
    }

    @Test
    void notAfterARefusal() {
        client("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(out.closed());
        assertFalse(out.serverIsIdle());
    }
}
