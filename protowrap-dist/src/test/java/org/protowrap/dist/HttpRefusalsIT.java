package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests the image's {@code http} wrapper must refuse, sent through it to a real nginx: request
 * smuggling on a raw socket, and limits, methods and other policies with curl. The refusal is the
 * wrapper's own response (no {@code Server} field: nginx always sends one), its log names the rule,
 * and nginx's access log shows that nothing of the refused request reached it.
 */
@Timeout(60)
class HttpRefusalsIT {

    private static final String VALID = "GET /index.html?case=%s HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @TempDir
    static Path dir;

    private static HttpStack stack;
    private static HttpWrapperLog log;

    @BeforeAll
    static void start() throws Exception {
        stack = HttpStack.start(dir);
        log = stack.log("web");
    }

    @AfterAll
    static void stop() throws Exception {
        try (HttpStack s = stack) {
            if (s != null) {
                s.assertWrapperRunning();
            }
        }
    }

    static Stream<Arguments> smuggling() {
        return Stream.of(
                smuggled("cl-te", 400, "http.cl-te.both",
                        inner -> "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + inner),
                smuggled("te-cl", 400, "http.cl-te.both",
                        inner -> "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                                + Integer.toHexString(inner.length()) + "\r\n" + inner + "\r\n0\r\n\r\n"),
                smuggled("te-te-case", 400, "http.te.obfuscated", chunkedAs("Transfer-Encoding: Chunked")),
                smuggled("te-te-tab", 400, "http.te.obfuscated", chunkedAs("Transfer-Encoding:\tchunked")),
                smuggled("te-te-trailing-space", 400, "http.te.obfuscated", chunkedAs("Transfer-Encoding: chunked ")),
                smuggled("te-te-twice", 400, "http.te.obfuscated",
                        chunkedAs("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked")),
                smuggled("te-te-unknown", 501, "http.te.unknown", chunkedAs("Transfer-Encoding: xchunked")),
                smuggled("te-te-space-before-colon", 400, "http.header.space-before-colon",
                        chunkedAs("Transfer-Encoding : chunked")),
                smuggled("te-te-underscore", 400, "http.header.lookalike", chunkedAs("Transfer_Encoding: chunked")),
                smuggled("cl-duplicate", 400, "http.cl.duplicate", inner -> "Content-Length: " + inner.length()
                        + "\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner),
                smuggled("cl-conflict", 400, "http.cl.conflict",
                        inner -> "Content-Length: 0\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner),
                smuggled("obs-fold", 400, "http.header.obs-fold",
                        chunkedAs("Content-Length: 0\r\nX-Note: folded\r\n Transfer-Encoding: chunked")),
                smuggled("bare-lf", 400, "http.line.bare-lf",
                        chunkedAs("Content-Length: 0\nTransfer-Encoding: chunked")),
                smuggled("nul", 400, "http.line.nul",
                        inner -> "X-Note: a\0b\r\nContent-Length: " + inner.length() + "\r\n\r\n" + inner));
    }

    /** Fields, then an empty chunked body followed by the smuggled request. */
    private static UnaryOperator<String> chunkedAs(String fields) {
        return inner -> fields + "\r\n\r\n0\r\n\r\n" + inner;
    }

    /**
     * A POST whose framing is ambiguous, carrying a second request (the smuggled one) where a backend
     * that frames it differently would read the next request.
     */
    private static Arguments smuggled(String name, int status, String rule, UnaryOperator<String> fieldsAndBody) {
        String inner = "GET /smuggled-inner?" + name + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String request = "POST /index.html?smuggled=" + name + " HTTP/1.1\r\nHost: localhost\r\n"
                + fieldsAndBody.apply(inner);
        return Arguments.of(name, request, status, rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void refusesSmugglingAfterAnsweringTheRequestBefore(String name, String smuggled, int status, String rule)
            throws Exception {
        int mark = log.mark();
        HttpRawClient.Exchange exchange = HttpRawClient.send(stack.webPort(), VALID.formatted(name) + smuggled);

        assertTrue(exchange.closedByPeer(), "the wrapper left the connection open");
        assertEquals(2, exchange.responses().size(), exchange.responses().toString());
        assertEquals(200, exchange.responses().getFirst().status());
        assertEquals(HttpNginx.INDEX, exchange.responses().getFirst().body());
        assertWrappersRefusal(exchange.responses().getLast(), status);
        // the refusal names its rule, so that an operator can find it
        assertTrue(exchange.responses().getLast().body().contains("(" + rule + ")"), exchange.responses().toString());
        assertRuleLogged(exchange.localPort(), mark, rule);

        awaitNginxServed("/index.html?after=" + name);
        List<HttpNginx.Request> served = stack.nginx().accessLog();
        HttpNginx.Request valid = only(served, "?case=" + name + " ");
        // earlier clients may have used that backend connection; nothing came after on it
        assertEquals(List.of(valid), served.stream()
                        .filter(r -> r.connection() == valid.connection() && r.number() >= valid.number()).toList(),
                "nginx saw more on the connection of the valid request");
        List<String> refused = List.of("smuggled=" + name + " ", "smuggled-inner?" + name + " ");
        assertTrue(served.stream().noneMatch(r -> refused.stream().anyMatch(r.requestLine()::contains)),
                "nginx served the refused request: " + served);
    }

    static Stream<Arguments> limits() {
        return Stream.of(
                refused("request-line", 414, "http.limit.request-line", "/" + "a".repeat(9000)),
                refused("header-section", 431, "http.limit.header-section", "", fields(40, 2000)),
                refused("field-line", 431, "http.limit.field-line", "", fields(1, 9000)),
                // a tunnel would carry bytes past the validator
                refused("connect", 501, "http.method.connect", "", "-X", "CONNECT"),
                // curl -H "Host;" sends a Host field with an empty value
                refused("empty-host", 400, "http.host.invalid", "", "-H", "Host;"),
                refused("host-mismatch", 400, "http.host.mismatch", "",
                        "--request-target", "http://elsewhere.example/limits-host-mismatch"));
    }

    /** A request to {@code /limits-<name><pathTail>} with curl's {@code options}. */
    private static Arguments refused(String name, int status, String rule, String pathTail, String... options) {
        return Arguments.of(name, status, rule, List.of(options), "/limits-" + name + pathTail);
    }

    private static String[] fields(int count, int length) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            args.addAll(List.of("-H", "X-Filler-" + i + ": " + "f".repeat(length)));
        }
        return args.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limits")
    void refusesLimitsAndPoliciesWithTheirStatus(String name, int status, String rule, List<String> options,
            String path) throws Exception {
        int mark = log.mark();
        // The response head on stdout, then the client port, to find the connection in the wrapper's log.
        List<String> args = new ArrayList<>(List.of("-sS", "-D", "-", "-o", "/dev/null", "-w", "%{local_port}"));
        args.addAll(options);
        args.add("http://127.0.0.1:" + stack.webPort() + path);
        HttpCurl.Result r = HttpCurl.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());

        int headEnd = r.out().indexOf("\r\n\r\n");
        HttpRawClient.Response response = HttpRawClient.parse(r.out().substring(0, headEnd + 4)).getFirst();
        assertWrappersRefusal(response, status);
        assertRuleLogged(Integer.parseInt(r.out().substring(headEnd + 4)), mark, rule);
        awaitNginxServed("/index.html?after=" + name);
        assertTrue(stack.nginx().accessLog().stream().noneMatch(line -> line.requestLine().contains("/limits-" + name)),
                "nginx served the refused request: " + stack.nginx().accessLog());
    }

    private static void assertWrappersRefusal(HttpRawClient.Response response, int status) {
        assertEquals(status, response.status(), response.toString());
        assertEquals("close", response.header("connection"), response.toString());
        assertEquals("", response.header("server"), "nginx answered, not the wrapper: " + response);
    }

    private static void assertRuleLogged(int clientPort, int mark, String rule) throws InterruptedException {
        List<String> lines = log.connection(clientPort, mark);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" rule=" + rule + " ")), String.join("\n", lines));
    }

    /**
     * Sends a valid request on a new connection and waits until nginx has logged it: a request
     * forwarded before it would have been logged by then.
     */
    private static void awaitNginxServed(String target) throws Exception {
        HttpRawClient.Exchange exchange = HttpRawClient.send(stack.webPort(),
                "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertEquals(200, exchange.responses().getFirst().status(), exchange.toString());
        assertEquals(1, stack.nginx().awaitRequests(target + " ", 1).size(), "nginx did not log " + target);
    }

    private static HttpNginx.Request only(List<HttpNginx.Request> served, String marker) {
        List<HttpNginx.Request> matching = served.stream().filter(r -> r.requestLine().contains(marker)).toList();
        assertEquals(1, matching.size(), "requests with " + marker + " in nginx's log: " + served);
        return matching.getFirst();
    }
}
