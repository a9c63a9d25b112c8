package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where messages end, through the image's {@code http} wrapper, written byte for byte on a raw
 * socket: nginx's responses to pipelined requests arrive as nginx sends them, unusual requests the
 * validator accepts end where nginx finds their end, and a body that goes wrong never ends at the
 * backend.
 */
@Timeout(60)
class HttpFramingIT {

    @TempDir
    static Path dir;

    private static HttpStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = HttpStack.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        try (HttpStack s = stack) {
            if (s != null) {
                s.assertWrapperRunning();
            }
        }
    }

    @Test
    void pipelinedResponsesAreThoseNginxSendsDirectly() throws Exception {
        String head = HttpCurl.run("-sS", "-I", "http://127.0.0.1:" + stack.nginx().port() + "/index.html").out();
        String etag = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("etag:")).findFirst().orElseThrow()
                .substring("etag:".length()).trim();
        String requests = String.join("",
                "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "HEAD /large.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /index.html HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etag + "\r\n\r\n",
                "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /large.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n",
                "GET /large.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        HttpRawClient.Exchange direct = HttpRawClient.send(stack.nginx().port(), requests);
        HttpRawClient.Exchange through = HttpRawClient.send(stack.webPort(), requests);

        assertEquals(List.of("200", "200", "304", "404", "200", "200"), statuses(direct.wire()));
        assertTrue(direct.wire().contains("Transfer-Encoding: chunked"), "nginx sent no chunked response");
        assertTrue(through.closedByPeer(), "the wrapper left the connection open");
        assertEquals(withoutDates(direct.wire()), withoutDates(through.wire()));
    }

    static Stream<Arguments> edgesOfTheGrammar() {
        String inner = "0\r\n\r\nGET /smuggled-inner HTTP/1.1\r\nHost: localhost\r\n\r\n";
        return Stream.of(
                edge("chunk-size-leading-zeros", chunked("0005\r\nhello\r\n0\r\n\r\n")),
                edge("chunk-size-16-digits", chunked("0000000000000005\r\nhello\r\n0\r\n\r\n")),
                edge("chunk-size-upper-case", chunked("A\r\n0123456789\r\n0\r\n\r\n")),
                edge("chunk-extensions", chunked("5 ;a=b\r\nhello\r\n6; q=\"x\\\"y\"\r\n world\r\n0;last=1\r\n\r\n")),
                edge("trailer", chunked("5\r\nhello\r\n0\r\nX-Checksum: 5d41402a\r\n\r\n")),
                edge("chunk-data-like-a-request",
                        chunked(Integer.toHexString(inner.length()) + "\r\n" + inner + "\r\n0\r\n\r\n")),
                edge("body-like-a-request", "Content-Length: " + inner.length() + "\r\n\r\n" + inner),
                edge("content-length-leading-zeros", "Content-Length: 0005\r\n\r\nhello"),
                edge("obs-text-tab-and-empty-values",
                        "X-Text: caf\u00e9\tau lait\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n"));
    }

    private static String chunked(String body) {
        return "Transfer-Encoding: chunked\r\n\r\n" + body;
    }

    private static Arguments edge(String name, String fieldsAndBody) {
        return Arguments.of(name, "POST /index.html?edge=" + name + " HTTP/1.1\r\nHost: localhost\r\n" + fieldsAndBody);
    }

    /**
     * Requests the validator accepts although they are unusual must end where nginx finds their end:
     * nginx answers the POST (405: a static file) and then the request after it on the same connection.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("edgesOfTheGrammar")
    void nginxFramesAcceptedEdgeCasesAsTheWrapperDoes(String name, String request) throws Exception {
        HttpWrapperLog log = stack.log("web");
        int mark = log.mark();
        String next = "GET /index.html?after-edge=" + name + " HTTP/1.1";
        HttpRawClient.Exchange exchange = HttpRawClient.send(stack.webPort(),
                request + next + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        assertEquals(List.of(405, 200), exchange.responses().stream().map(HttpRawClient.Response::status).toList(),
                exchange.wire());
        List<String> lines = log.connection(exchange.localPort(), mark);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" rule=")), String.join("\n", lines));
        List<HttpNginx.Request> served = stack.nginx().awaitRequests("edge=" + name + " ", 2);
        assertEquals(List.of(request.substring(0, request.indexOf("\r\n")), next),
                served.stream().map(HttpNginx.Request::requestLine).toList());
        assertTrue(HttpNginx.consecutiveOnOneConnection(served), served.toString());
    }

    @Test
    void dropsTheBackendWhenAChunkedBodyTurnsBad() throws Exception {
        HttpWrapperLog log = stack.log("upload");
        int mark = log.mark();
        stack.checksums().clearEvents();
        HttpRawClient.Exchange exchange;
        try (HttpRawClient.Connection connection = HttpRawClient.open(stack.uploadPort())) {
            connection.write("POST /checksum HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
            assertEquals("started", stack.checksums().nextEvent());
            connection.write("0x5\r\nworld\r\n0\r\n\r\n");
            exchange = connection.readUntilClosed();
        }
        assertTrue(exchange.closedByPeer(), "the wrapper left the connection open");
        HttpRawClient.Response refusal = exchange.responses().getFirst();
        assertEquals(List.of(400, "close"), List.of(refusal.status(), refusal.header("connection")), exchange.wire());
        assertTrue(stack.checksums().nextEvent().startsWith("failed: "), "the backend read a whole body");
        List<String> lines = log.connection(exchange.localPort(), mark);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" rule=http.chunk.invalid ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("backend connection aborted")), String.join("\n", lines));
    }

    private static List<String> statuses(String wire) {
        return Pattern.compile("^HTTP/1\\.1 (\\d{3}) ", Pattern.MULTILINE).matcher(wire).results().map(m -> m.group(1))
                .toList();
    }

    /** The responses without their Date fields, which differ from one second to the next. */
    private static String withoutDates(String wire) {
        return wire.replaceAll("\r\nDate: [^\r]*", "");
    }
}
