package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
    void streamsALargePostBodyWithoutHoldingIt() throws Exception {
        Path file = dir.resolve("large-body");
        String sha256;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            sha256 = writeBody(out, 256 * MIB, 1);
        }
        upload("-T", "/dev/null"); // the first request loads the wrapper's classes; not counted below
        long before = memory("VmRSS");
        HttpCurl.Result r = upload("-T", file.toString());
        long peak = memory("VmHWM");
        Files.delete(file);
        assertEquals(sha256 + " " + 256 * MIB + "\n", r.out(), r.err());
        assertTrue(peak - before < 64 * MIB,
                "the wrapper's resident memory grew by " + (peak - before) / MIB + " MiB for a 256 MiB body");
    }

    @Test
    void streamsAChunkedUploadFromAPipe() throws Exception {
        String[] sha256 = new String[1];
        HttpCurl.Result r = HttpCurl.run(stdin -> sha256[0] = writeBody(stdin, 64 * MIB, 2),
                "-sS", "-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", "-", uploadUrl());
        assertEquals(0, r.exit(), r.err());
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
        assertEquals(2, r.err().split("Re-using existing connection", -1).length - 1, r.err());
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
        byte[] binary = new byte[300_000];
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
        HttpWrapperLog log = new HttpWrapperLog(protowrap, "web");
        int mark = log.mark();
        List<String> command = List.of(Tools.require("wrk"), "-t1", "-c20", "-d3s",
                "http://127.0.0.1:" + webPort + "/index.html");
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String report = new String(wrk.getInputStream().readAllBytes());
        assertTrue(wrk.waitFor(30, TimeUnit.SECONDS), "wrk did not finish");
        assertEquals(0, wrk.exitValue(), report);

        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(report);
        assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, report);
        assertTrue(!report.contains("Socket errors") || report.contains("Socket errors: connect 0, read 0, write 0, timeout 0"),
                report);
        assertTrue(!report.contains("Non-2xx"), report);
        assertTrue(!log.since(mark).contains(" rule="), log.since(mark));
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
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

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
