package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
 * Real HTTP clients through the image's {@code http} wrapper to real servers: curl to nginx and to a
 * backend that checksums request bodies, a WebSocket client to a WebSocket server, and wrk for a
 * short load. What arrives must be what was sent, and the wrapper must hold no body in memory.
 */
@Timeout(60)
class HttpClientsIT {

    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    private static HttpNginx nginx;
    private static HttpChecksumServer checksums;
    private static HttpWebSocketEcho websocket;
    private static ExternalProcess protowrap;
    private static int webPort;
    private static int uploadPort;
    private static int websocketPort;

    @BeforeAll
    static void start() throws Exception {
        nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")));
        checksums = HttpChecksumServer.start();
        websocket = HttpWebSocketEcho.start(dir);
        webPort = Ports.free();
        uploadPort = Ports.free();
        websocketPort = Ports.free();
        protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                  - {name: upload, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                  - {name: ws, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                """.formatted(webPort, nginx.port(), uploadPort, checksums.port(), websocketPort, websocket.port()),
                webPort, uploadPort, websocketPort);
    }

    @AfterAll
    static void stop() throws Exception {
        try (ExternalProcess p = protowrap; HttpNginx n = nginx; HttpChecksumServer c = checksums;
                HttpWebSocketEcho w = websocket) {
            assertTrue(p == null || p.isAlive(), "protowrap exited during the tests:\n" + (p == null ? "" : p.output()));
        }
    }

    @Test
    void getAnswersAsNginxDoesDirectly() throws Exception {
        HttpCurl.Result through = HttpCurl.run("-sS", "-w", "\n%{http_code}", "http://127.0.0.1:" + webPort + "/index.html");
        HttpCurl.Result direct = HttpCurl.run("-sS", "-w", "\n%{http_code}", "http://127.0.0.1:" + nginx.port() + "/index.html");
        assertEquals(0, through.exit(), through.err());
        assertEquals(HttpNginx.INDEX + "\n200", through.out());
        assertEquals(direct.out(), through.out());
    }

    @Test
    void pipelinedResponsesAreThoseNginxSendsDirectly() throws Exception {
        String etag = HttpCurl.run("-sS", "-I", "http://127.0.0.1:" + nginx.port() + "/index.html").out().lines()
                .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("etag:")).findFirst().orElseThrow().substring(5).trim();
        String requests = String.join("",
                "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "HEAD /large.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /index.html HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etag + "\r\n\r\n",
                "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "GET /large.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n",
                "GET /large.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        HttpRawClient.Exchange direct = HttpRawClient.send(nginx.port(), requests);
        HttpRawClient.Exchange through = HttpRawClient.send(webPort, requests);

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
                edge("obs-text-tab-and-empty-values", "X-Text: caf\u00e9\tau lait\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n"));
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
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "web");
        int mark = log.mark();
        String next = "GET /index.html?after-edge=" + name + " HTTP/1.1";
        HttpRawClient.Exchange exchange = HttpRawClient.send(webPort,
                request + next + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        assertEquals(List.of(405, 200), exchange.responses().stream().map(HttpRawClient.Response::status).toList(),
                exchange.wire());
        List<String> lines = log.connection(exchange.localPort(), mark);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" rule=")), String.join("\n", lines));
        List<HttpNginx.Request> served = awaitServed(2, "edge=" + name + " ");
        assertEquals(List.of(request.substring(0, request.indexOf("\r\n")), next),
                served.stream().map(HttpNginx.Request::requestLine).toList());
        assertEquals(List.of(1, 2), served.stream().map(HttpNginx.Request::number).toList(), served.toString());
        assertEquals(1, served.stream().map(HttpNginx.Request::connection).distinct().count(), served.toString());
    }

    @Test
    void dropsTheBackendWhenAChunkedBodyTurnsBad() throws Exception {
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "upload");
        int mark = log.mark();
        checksums.clearEvents();
        HttpRawClient.Exchange exchange;
        try (HttpRawClient.Connection connection = HttpRawClient.open(uploadPort)) {
            connection.write("POST /checksum HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            assertEquals("started", checksums.nextEvent());
            connection.write("0x5\r\nworld\r\n0\r\n\r\n");
            exchange = connection.readUntilClosed();
        }
        assertTrue(exchange.closedByPeer(), "the wrapper left the connection open");
        HttpRawClient.Response refusal = exchange.responses().getFirst();
        assertEquals(List.of(400, "close"), List.of(refusal.status(), refusal.header("connection")), exchange.wire());
        assertTrue(checksums.nextEvent().startsWith("failed: "), "the backend read a whole body");
        List<String> lines = log.connection(exchange.localPort(), mark);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" rule=http.chunk.invalid ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("backend connection aborted")), String.join("\n", lines));
    }

    @Test
    void streamsALargePostBodyWithoutHoldingIt() throws Exception {
        Path file = dir.resolve("large-body");
        String sha256 = writeFile(file, 256 * MIB, 1);
        upload("-T", "/dev/null"); // the first request loads the wrapper's classes; not counted below
        long before = memory("VmRSS");
        HttpCurl.Result r = upload("-v", "-T", file.toString());
        long peak = memory("VmHWM");
        Files.delete(file);
        assertEquals(sha256 + " " + 256 * MIB + "\n", r.out(), r.err());
        // curl waits for the backend's interim response before it sends a large body.
        assertTrue(r.err().contains("> Expect: 100-continue") && r.err().contains("< HTTP/1.1 100 Continue"), r.err());
        assertGrowthUnder(64 * MIB, before, peak, "a 256 MiB request body");
    }

    @Test
    void streamsALargeResponseToASlowClient() throws Exception {
        Path page = nginx.root().resolve("large.bin");
        String sha256 = writeFile(page, 128 * MIB, 4);
        Path received = dir.resolve("received.bin");
        String url = "http://127.0.0.1:" + webPort + "/large.bin";
        HttpCurl.run("-sS", "-o", "/dev/null", "http://127.0.0.1:" + webPort + "/index.html");
        long before = memory("VmRSS");
        // nginx can send faster than curl takes: the wrapper has to wait for the client, not keep the difference.
        HttpCurl.Result r = HttpCurl.run("-sS", "--limit-rate", "64M", "-o", received.toString(), "-w", "%{http_code}", url);
        long peak = memory("VmHWM");
        assertEquals("200", r.out(), r.err());
        assertEquals(sha256, sha256(received));
        Files.delete(page);
        Files.delete(received);
        assertGrowthUnder(64 * MIB, before, peak, "a 128 MiB response");
    }

    @Test
    void streamsAChunkedUploadFromAPipe() throws Exception {
        String[] sha256 = new String[1];
        HttpCurl.Result r = HttpCurl.run(stdin -> sha256[0] = writeBody(stdin, 64 * MIB, 2),
                "-sSv", "-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", "-", uploadUrl());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("> Transfer-Encoding: chunked"), r.err());
        assertEquals(sha256[0] + " " + 64 * MIB + "\n", r.out(), r.err());
    }

    @Test
    void keepsOneConnectionForSeveralRequests() throws Exception {
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "web");
        int mark = log.mark();
        String base = "http://127.0.0.1:" + webPort + "/index.html?keep-alive=";
        HttpCurl.Result r = HttpCurl.run("-sv", "-w", "%{local_port} %{http_code}\n",
                "-o", "/dev/null", base + 1, "-o", "/dev/null", base + 2, "-o", "/dev/null", base + 3);
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.err().split("Re-using existing", -1).length - 1, r.err());
        List<String> answers = r.out().lines().toList();
        String port = answers.getFirst().split(" ")[0];
        assertEquals(List.of(port + " 200", port + " 200", port + " 200"), answers);

        log.connection(Integer.parseInt(port), mark);
        assertEquals(1, log.summaries(Integer.parseInt(port), mark).size(), log.since(mark));
        List<HttpNginx.Request> served = awaitServed(3, "keep-alive=");
        assertEquals(List.of(1, 2, 3), served.stream().map(HttpNginx.Request::number).toList(), served.toString());
        assertEquals(1, served.stream().map(HttpNginx.Request::connection).distinct().count(), served.toString());
    }

    @Test
    void relaysAWebSocketAfterTheUpgrade() throws Exception {
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "ws");
        int mark = log.mark();
        EchoListener echoes = new EchoListener();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + websocketPort + "/echo"), echoes).get(10, TimeUnit.SECONDS);
        byte[] binary = new byte[4 * (int) MIB];
        new SplittableRandom(3).nextBytes(binary);

        socket.sendText("through the wrapper, ünïcödé included", true).get(10, TimeUnit.SECONDS);
        assertEquals("through the wrapper, ünïcödé included", echoes.next());
        socket.sendBinary(ByteBuffer.wrap(binary), true).get(10, TimeUnit.SECONDS);
        assertEquals(HexFormat.of().formatHex(binary), HexFormat.of().formatHex((byte[]) echoes.next()));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        assertTrue(log.since(mark).matches("(?s).*wrapper=ws conn=\\d+ relaying raw from now on.*"), log.since(mark));
    }

    @Test
    void servesAShortLoadWithoutErrors() throws Exception {
        assertLoadWithoutErrors("-t1", "-c20", "-d3s");
    }

    @Test
    void servesAPipelinedLoadWithoutErrors() throws Exception {
        Path script = dir.resolve("pipeline.lua");
        try (InputStream in = HttpClientsIT.class.getResourceAsStream("/http/pipeline.lua")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        assertLoadWithoutErrors("-t1", "-c20", "-d2s", "-s", script.toString());
    }

    /** Runs wrk on the nginx page through the wrapper: no socket error, no status other than 2xx or 3xx, no refusal. */
    private static void assertLoadWithoutErrors(String... options) throws Exception {
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "web");
        int mark = log.mark();
        // A generous per-request timeout: a slow moment on a busy machine is not an error of the wrapper.
        List<String> command = new ArrayList<>(List.of(Tools.require("wrk"), "--timeout", "10s"));
        command.addAll(List.of(options));
        command.add("http://127.0.0.1:" + webPort + "/index.html");
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String report = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(wrk.waitFor(30, TimeUnit.SECONDS), "wrk did not finish");
        assertEquals(0, wrk.exitValue(), report);

        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(report);
        assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, report);
        // wrk prints these lines only when there is something to count.
        assertTrue(!report.contains("Socket errors") || report.contains("Socket errors: connect 0, read 0, write 0, timeout 0"),
                report);
        assertTrue(!report.contains("Non-2xx"), report);
        assertTrue(!log.since(mark).contains(" rule="), log.since(mark));
    }

    private static List<String> statuses(String wire) {
        return Pattern.compile("^HTTP/1\\.1 (\\d{3}) ", Pattern.MULTILINE).matcher(wire).results().map(m -> m.group(1))
                .toList();
    }

    /** The responses without their Date fields, which differ from one second to the next. */
    private static String withoutDates(String wire) {
        return wire.replaceAll("\r\nDate: [^\r]*", "");
    }

    private static String uploadUrl() {
        return "http://127.0.0.1:" + uploadPort + "/checksum";
    }

    private static HttpCurl.Result upload(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("-sS", "-X", "POST"));
        command.addAll(List.of(args));
        command.add(uploadUrl());
        HttpCurl.Result r = HttpCurl.run(command.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed}; returns their SHA-256 in hex. */
    private static String writeBody(OutputStream out, long size, long seed) throws IOException {
        MessageDigest sha256 = HttpChecksumServer.sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[(int) MIB];
        for (long written = 0; written < size; written += block.length) {
            random.nextBytes(block);
            sha256.update(block);
            out.write(block);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static String writeFile(Path file, long size, long seed) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            return writeBody(out, size, seed);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha256 = HttpChecksumServer.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * The wrapper's peak resident memory during a transfer, against its resident memory before:
     * a bound on memory, not on time. Holding the message would take its whole size.
     */
    private static void assertGrowthUnder(long bound, long before, long peak, String what) {
        assertTrue(peak - before < bound,
                "the wrapper's resident memory grew by " + (peak - before) / MIB + " MiB for " + what);
    }

    /** A line of the wrapper process's /proc status, in bytes. */
    private static long memory(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + protowrap.pid() + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError(field + " is not in /proc/" + protowrap.pid() + "/status");
    }

    private static List<HttpNginx.Request> awaitServed(int count, String marker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<HttpNginx.Request> served = List.of();
        while (System.nanoTime() < deadline && served.size() < count) {
            Thread.sleep(20);
            served = nginx.accessLog().stream().filter(r -> r.requestLine().contains(marker)).toList();
        }
        return served;
    }

    /** Collects whole messages (text or binary) as the echo server sends them back. */
    private static final class EchoListener implements WebSocket.Listener {

        private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        Object next() throws InterruptedException {
            Object message = messages.poll(10, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no echo within 10 seconds");
            }
            return message;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence part, boolean last) {
            text.append(part);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer part, boolean last) {
            byte[] bytes = new byte[part.remaining()];
            part.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            socket.request(1);
            return null;
        }
    }
}
