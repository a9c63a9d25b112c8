package org.protowrap.validator.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.protowrap.api.Refusal;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;
import org.protowrap.testkit.SessionCorpus;

/**
 * What reaches the client from the server (only what the session has validated), and what the
 * session tells the engine: timing of request heads and responses, draining, facts for the log.
 */
class ServerSideTest {

    private final Validator validator = SessionDriver.validator();
    private final ValidatorSession session = validator.newSession(SessionCorpus.INFO);
    private final RecordingDecisions out = new RecordingDecisions();

    private void client(String text) {
        session.onClientData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    private void server(String text) {
        session.onServerData(ByteBuffer.wrap(text.getBytes(ISO_8859_1)), out);
    }

    private void assertBadGateway() {
        assertTrue(out.client().startsWith("HTTP/1.1 502 Bad Gateway\r\n"), out.client());
        assertTrue(out.client().endsWith("(http.response.framing)\n"), out.client());
        assertTrue(out.closed());
        assertEquals(1, out.serverFaults().size(), out.serverFaults().toString());
    }

    @Test
    void aBackendThatDoesNotSpeakHttpGetsTheClientA502AndNothingOfIt() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HELLO\r\n");
        assertBadGateway();
        assertFalse(out.client().contains("HELLO"), out.client());
    }

    @Test
    void twoDifferentContentLengthsGetA502WithoutAnyOfTheHead() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n");
        assertEquals("", out.client(), "a head is held until it is valid");
        server("Content-Length: 2\r\n\r\nab");
        assertBadGateway();
        assertFalse(out.client().contains("200 OK"), out.client());
    }

    @Test
    void aServerThatClosesInTheMiddleOfAHeadGetsA502() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-");
        session.onServerEnd(out);
        assertBadGateway();
    }

    @Test
    void aServerThatClosesBeforeAnsweringARequestGetsA502() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        session.onServerEnd(out);
        assertBadGateway();
    }

    @Test
    void aServerThatClosesAKeepAliveConnectionWithNothingAskedSendsTheClientNothing() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        session.onServerEnd(out);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", out.client());
        assertEquals(List.of(), out.serverFaults());
    }

    @Test
    void aResponseHeadOverTheLimitGetsA502() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 80; i++) {
            server("X-Filler-" + i + ": " + "f".repeat(1000) + "\r\n");
        }
        assertBadGateway();
        assertTrue(session instanceof HttpSession s && s.retainedBytes() <= 2 * 65536);
    }

    @Test
    void aBrokenBodyAfterItsHeadWentClosesWithoutA502() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
        assertTrue(out.client().startsWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"), out.client());
        assertFalse(out.client().contains("502"), out.client());
        assertTrue(out.closed());
    }

    @Test
    void aSwitchToAnUpgradeThatWasRemovedGetsA502() {
        client("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAA\r\n\r\n");
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\n\r\n", out.server());
        server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n");
        assertBadGateway();
        assertFalse(out.rawReason().isPresent());
    }

    @Test
    void everyRequestHeadIsTimedAndEveryResponseAwaited() {
        client("GET /1 HTTP/1.1\r\nHo");
        client("st: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        client("POST /2?token=secret HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nab");
        client("c");
        server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of("unit+", "unit-", "await+", "await-", "exchange", "unit+", "unit-", "await+", "await-", "exchange"),
                out.takeTiming());
        assertEquals(Map.of("requests", "2", "method", "POST", "target", "/2", "status", "201"), out.facts());
    }

    @Test
    void drainClosesAnIdleConnectionAtOnce() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertFalse(out.closed());
        session.onDrain(out);
        assertTrue(out.closed());
    }

    @Test
    void aRemovedBackendUnderAnIdleClientIsDroppedAndTheNextRequestGoesOn() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        session.onBackendRemoved(out);
        assertTrue(out.aborted(), "the backend connection is dropped");
        assertFalse(out.closed(), "the client keeps its connection");
        client("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        assertTrue(out.server().endsWith("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"), out.server());
        server("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew");
        assertTrue(out.client().endsWith("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew"), out.client());
        assertFalse(out.closed());
    }

    @Test
    void aRemovedBackendUnderABusyClientEndsTheConnectionAfterTheResponseAsADrainDoes() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        session.onBackendRemoved(out);
        assertFalse(out.aborted(), "a request awaits its response from this backend");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", out.client());
        assertTrue(out.closed());
    }

    @Test
    void drainTellsTheClientOnTheNextResponseAndClosesAfterIt() {
        client("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        session.onDrain(out);
        assertFalse(out.closed());
        client("GET /late HTTP/1.1\r\nHost: a\r\n\r\n");
        server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", out.client());
        assertTrue(out.closed());
        assertFalse(out.server().contains("/late"), "nothing new is forwarded once draining");
    }

    @Test
    void drainInTheMiddleOfARequestHeadClosesAfterItsResponse() {
        client("GET / HTTP/1.1\r\nHo");
        session.onDrain(out);
        client("st: a\r\n\r\n");
        server("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        assertEquals("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", out.client());
        assertTrue(out.closed());
    }

    @Test
    void describesNothingWhenTheEngineKeepsNoFactsAndRelaysAlike() {
        RecordingDecisions quiet = new RecordingDecisions() {
            @Override
            public boolean describes() {
                return false;
            }
        };
        ValidatorSession s = validator.newSession(SessionCorpus.INFO);
        String request = "GET /a?token=x HTTP/1.1\r\nHost: a\r\n\r\n";
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        quiet.fromClient(s, request.getBytes(ISO_8859_1));
        quiet.fromServer(s, response.getBytes(ISO_8859_1));
        client(request);
        server(response);
        assertEquals(Map.of(), quiet.facts());
        assertEquals(Map.of("requests", "1", "method", "GET", "target", "/a", "status", "200"), out.facts());
        assertEquals(out.server(), quiet.server());
        assertEquals(out.client(), quiet.client());
    }

    @Test
    void offersOnlyHttp11ByAlpn() {
        assertEquals(List.of("http/1.1"), validator.applicationProtocols());
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    void everyRefusalIsAnHttpResponseThatCloses(Refusal reason) {
        String response = new String(validator.refusal(reason).orElseThrow(), ISO_8859_1);
        assertTrue(response.matches("(?s)HTTP/1\\.1 (403|408|429|503|504) .*\r\nConnection: close\r\n\r\n.*"), response);
        if (reason == Refusal.SERVER_TIMEOUT) {
            assertTrue(response.startsWith("HTTP/1.1 504 "), response);
        }
    }
}
