package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * backend that checksums request bodies, a WebSocket client to a WebSocket server, and wrk for
 * short loads. What arrives must be what was sent, over the connections the client chose, and the
 * wrapper must hold no message in memory, however large.
 */
@Timeout(60)
class HttpClientsIT {

    private static final long MIB = 1024 * 1024;

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
    void getAnswersAsNginxDoesDirectly() throws Exception {
        HttpCurl.Result through = HttpCurl.run("-sS", "-w", "\n%{http_code}", url(stack.webPort(), "/index.html"));
        HttpCurl.Result direct = HttpCurl.run("-sS", "-w", "\n%{http_code}", url(stack.nginx().port(), "/index.html"));
        assertEquals(0, through.exit(), through.err());
        assertEquals(HttpNginx.INDEX + "\n200", through.out());
        assertEquals(direct.out(), through.out());
    }

    @Test
    void streamsALargePostBodyWithoutHoldingIt() throws Exception {
        Path file = dir.resolve("large-body");
        String sha256 = writeFile(file, 256 * MIB, 1);
        upload("-T", "/dev/null"); // the first request loads the wrapper's classes; not counted below
        long before = stack.wrapperMemory("VmRSS");
        HttpCurl.Result r = upload("-v", "-T", file.toString());
        long peak = stack.wrapperMemory("VmHWM");
        Files.delete(file);
        assertEquals(sha256 + " " + 256 * MIB + "\n", r.out(), r.err());
        // curl waits for the backend's interim response before it sends a large body.
        assertTrue(r.err().contains("> Expect: 100-continue") && r.err().contains("< HTTP/1.1 100 Continue"), r.err());
        assertGrowthUnder(64 * MIB, before, peak, "a 256 MiB request body");
    }

    @Test
    void streamsALargeResponseToASlowClient() throws Exception {
        Path page = stack.nginx().root().resolve("large.bin");
        String sha256 = writeFile(page, 128 * MIB, 4);
        Path received = dir.resolve("received.bin");
        HttpCurl.run("-sS", "-o", "/dev/null", url(stack.webPort(), "/index.html"));
        long before = stack.wrapperMemory("VmRSS");
        // nginx can send faster than curl takes: the wrapper has to wait for the client, not keep the difference.
        HttpCurl.Result r = HttpCurl.run("-sS", "--limit-rate", "64M", "-o", received.toString(), "-w", "%{http_code}",
                url(stack.webPort(), "/large.bin"));
        long peak = stack.wrapperMemory("VmHWM");
        assertEquals("200", r.out(), r.err());
        assertEquals(sha256, sha256(received));
        Files.delete(page);
        Files.delete(received);
        assertGrowthUnder(64 * MIB, before, peak, "a 128 MiB response");
    }

    @Test
    void streamsAChunkedUploadFromAPipe() throws Exception {
        String sha256 = writeBody(OutputStream.nullOutputStream(), 64 * MIB, 2); // what curl gets on its input below
        HttpCurl.Result r = HttpCurl.run(stdin -> writeBody(stdin, 64 * MIB, 2),
                "-sSv", "-X", "POST", "-H", "Transfer-Encoding: chunked", "-T", "-", uploadUrl());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("> Transfer-Encoding: chunked"), r.err());
        assertEquals(sha256 + " " + 64 * MIB + "\n", r.out(), r.err());
    }

    @Test
    void keepsOneConnectionForSeveralRequests() throws Exception {
        HttpWrapperLog log = stack.log("web");
        int mark = log.mark();
        String base = url(stack.webPort(), "/index.html?keep-alive=");
        HttpCurl.Result r = HttpCurl.run("-sv", "-w", "%{local_port} %{http_code}\n",
                "-o", "/dev/null", base + 1, "-o", "/dev/null", base + 2, "-o", "/dev/null", base + 3);
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.err().split("Re-using existing", -1).length - 1, r.err());
        List<String> answers = r.out().lines().toList();
        String port = answers.getFirst().split(" ")[0];
        assertEquals(List.of(port + " 200", port + " 200", port + " 200"), answers);

        log.connection(Integer.parseInt(port), mark);
        assertEquals(1, log.summaries(Integer.parseInt(port), mark).size(), log.since(mark));
        List<HttpNginx.Request> served = stack.nginx().awaitRequests("keep-alive=", 3);
        assertTrue(HttpNginx.consecutiveOnOneConnection(served), served.toString());
    }

    @Test
    void relaysAWebSocketAfterTheUpgrade() throws Exception {
        HttpWrapperLog log = stack.log("ws");
        int mark = log.mark();
        EchoListener echoes = new EchoListener();
        URI uri = URI.create("ws://127.0.0.1:" + stack.websocketPort() + "/echo");
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, echoes)
                .get(10, TimeUnit.SECONDS);
        byte[] binary = new byte[4 * (int) MIB];
        new SplittableRandom(3).nextBytes(binary);

        socket.sendText("through the wrapper, ünïcödé included", true).get(10, TimeUnit.SECONDS);
        assertEquals("through the wrapper, ünïcödé included", echoes.next());
        socket.sendBinary(ByteBuffer.wrap(binary), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(binary, (byte[]) echoes.next());
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
        HttpWrapperLog log = stack.log("web");
        int mark = log.mark();
        // A generous per-request timeout: a slow moment on a busy machine is not an error of the wrapper.
        List<String> command = new ArrayList<>(List.of(Tools.require("wrk"), "--timeout", "10s"));
        command.addAll(List.of(options));
        command.add(url(stack.webPort(), "/index.html"));
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String report = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(wrk.waitFor(30, TimeUnit.SECONDS), "wrk did not finish");
        assertEquals(0, wrk.exitValue(), report);

        Matcher requests = Pattern.compile("(\\d+) requests in").matcher(report);
        assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, report);
        // wrk prints these lines only when there is something to count.
        assertTrue(!report.contains("Socket errors")
                || report.contains("Socket errors: connect 0, read 0, write 0, timeout 0"), report);
        assertTrue(!report.contains("Non-2xx"), report);
        assertTrue(!log.since(mark).contains(" rule="), log.since(mark));
    }

    private static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private static String uploadUrl() {
        return url(stack.uploadPort(), "/checksum");
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
