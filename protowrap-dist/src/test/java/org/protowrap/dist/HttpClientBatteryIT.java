package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients as they come, with their default settings, through the image's {@code http} wrapper
 * with the validator's defaults, to nginx and to a backend that checksums bodies: Java's
 * HttpClient (which offers {@code Upgrade: h2c}), curl (dot segments, absolute form, extension
 * methods), wget, Python's urllib and requests, and ab. Every body must arrive byte for byte, and
 * no request may be refused by the wrapper. Then two broken backends: nothing of what they send
 * may reach the client, which gets a 502 instead.
 */
@Timeout(120)
class HttpClientBatteryIT {

    @TempDir
    static Path dir;

    private static HttpStack stack;
    private static HttpWrapperLog log;
    private static int logMark;

    @BeforeAll
    static void start() throws Exception {
        stack = HttpStack.start(dir);
        log = stack.log("web");
        logMark = log.mark();
    }

    @AfterAll
    static void stop() throws Exception {
        try (HttpStack s = stack) {
            if (s != null) {
                s.assertWrapperRunning();
                // no client of the battery was refused: every request reached a backend
                assertFalse(log.since(logMark).contains(" action=enforce"), log.since(logMark));
            }
        }
    }

    private static String web(String path) {
        return "http://127.0.0.1:" + stack.webPort() + path;
    }

    private static String upload() {
        return "http://127.0.0.1:" + stack.uploadPort() + "/checksum";
    }

    // ---- Java's HttpClient, default settings (HTTP/2 preferred: it offers h2c on every request) ----

    @Test
    void javaHttpClientGetsPagesByteForByte() throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> index = client.send(HttpRequest.newBuilder(URI.create(web("/index.html?java=" + i))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, index.statusCode(), index.toString());
                assertEquals(HttpNginx.INDEX, index.body());
                assertEquals(HttpClient.Version.HTTP_1_1, index.version());
            }
            HttpResponse<String> large = client.send(HttpRequest.newBuilder(URI.create(web("/large.txt"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpNginx.LARGE, large.body());
        }
    }

    @Test
    void javaHttpClientPostsBodiesByteForByte() throws Exception {
        byte[] body = randomBytes(3 * 1024 * 1024 + 7, 11);
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(upload()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(sha256(body) + " " + body.length + "\n", r.body());
            HttpResponse<String> empty = client.send(HttpRequest.newBuilder(URI.create(upload()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(sha256(new byte[0]) + " 0\n", empty.body());
        }
    }

    // ---- curl ----

    @Test
    void curlWithDotSegmentsAsIs() throws Exception {
        HttpCurl.Result r = HttpCurl.run("-sS", "--path-as-is", "-w", "\n%{http_code}", web("/sub/../index.html"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(HttpNginx.INDEX + "\n200", r.out());
    }

    @Test
    void curlThroughTheWrapperAsAProxy() throws Exception {
        // -x sends the absolute form: GET http://localhost/index.html
        HttpCurl.Result r = HttpCurl.run("-sS", "-v", "-x", "http://127.0.0.1:" + stack.webPort(), "-w", "\n%{http_code}",
                "http://localhost/index.html?proxied");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("> GET http://localhost/index.html?proxied HTTP/1.1"), r.err());
        assertEquals(HttpNginx.INDEX + "\n200", r.out());
        List<HttpNginx.Request> served = stack.nginx().awaitRequests("?proxied", 1);
        assertEquals("GET /index.html?proxied HTTP/1.1", served.getFirst().requestLine());
    }

    @Test
    void curlExtensionMethodsReachTheBackend() throws Exception {
        for (String method : List.of("PURGE", "SEARCH", "M-SEARCH", "MKCOL", "get")) {
            HttpCurl.Result r = HttpCurl.run("-sS", "-D", "-", "-o", "/dev/null", "-X", method, web("/index.html?method=" + method));
            assertEquals(0, r.exit(), r.err());
            // nginx answered (its Server field), not the wrapper
            assertTrue(r.out().toLowerCase().contains("\r\nserver: nginx"), method + ": " + r.out());
        }
    }

    @Test
    void curlPostWithoutABodyIsAnEmptyRequest() throws Exception {
        HttpCurl.Result r = HttpCurl.run("-sS", "-X", "POST", upload());
        assertEquals(0, r.exit(), r.err());
        assertEquals(sha256(new byte[0]) + " 0\n", r.out());
    }

    @Test
    void curlOffersOfH2cAreRemovedAndAnsweredInHttp11() throws Exception {
        HttpCurl.Result r = HttpCurl.run("-sS", "--http2", "-w", "\n%{http_version}", web("/index.html"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(HttpNginx.INDEX + "\n1.1", r.out());
    }

    // ---- other clients ----

    @Test
    void wgetGetsThePage() throws Exception {
        Path file = dir.resolve("wget.txt");
        Process wget = new ProcessBuilder(Tools.require("wget"), "-q", "-O", file.toString(), web("/large.txt"))
                .redirectErrorStream(true).start();
        String output = new String(wget.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(wget.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, wget.exitValue(), output);
        assertEquals(HttpNginx.LARGE, Files.readString(file));
    }

    @Test
    void pythonUrllibAndRequests() throws Exception {
        String script = """
                import hashlib, sys, urllib.request, requests
                page = urllib.request.urlopen(sys.argv[1]).read()
                s = requests.Session()
                again = s.get(sys.argv[1]).content
                body = bytes(range(256)) * 4096
                posted = s.post(sys.argv[2], data=body).text
                sys.stdout.write("%d %d %s" % (page == again, len(page), posted))
                print(hashlib.sha256(body).hexdigest())
                """;
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", script, web("/large.txt"), upload())
                .redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, python.exitValue(), output);
        String[] parts = output.trim().split("\\s+");
        assertEquals("1", parts[0], output);
        assertEquals(String.valueOf(HttpNginx.LARGE.length()), parts[1], output);
        assertEquals(parts[4], parts[2], "the body the backend read: " + output);
        assertEquals(String.valueOf(256 * 4096), parts[3], output);
    }

    @Test
    void apacheBenchKeepAliveWithoutFailures() throws Exception {
        Process ab = new ProcessBuilder(Tools.require("ab"), "-q", "-k", "-n", "300", "-c", "4", web("/index.html"))
                .redirectErrorStream(true).start();
        String report = new String(ab.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ab.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, ab.exitValue(), report);
        assertTrue(report.matches("(?s).*Complete requests:\\s+300\\n.*"), report);
        assertTrue(report.matches("(?s).*Failed requests:\\s+0\\n.*"), report);
        assertFalse(report.contains("Non-2xx"), report);
    }

    // ---- broken backends ----

    @Test
    void nothingOfABrokenBackendResponseReachesTheClient() throws Exception {
        try (CannedBackend hello = new CannedBackend("HELLO\r\nthis is not HTTP\r\n");
                CannedBackend lengths = new CannedBackend("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")) {
            int helloPort = Ports.free();
            int lengthsPort = Ports.free();
            try (ExternalProcess protowrap = ProtowrapImage.run(Files.createDirectories(dir.resolve("broken")), """
                    allowRoot: true
                    wrappers:
                      - {name: hello, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                      - {name: lengths, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(helloPort, hello.port(), lengthsPort, lengths.port()), helloPort, lengthsPort)) {
                for (int port : List.of(helloPort, lengthsPort)) {
                    HttpRawClient.Exchange exchange = HttpRawClient.send(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                    assertEquals(1, exchange.responses().size(), exchange.toString());
                    HttpRawClient.Response response = exchange.responses().getFirst();
                    assertEquals(502, response.status(), response.toString());
                    assertEquals("Bad Gateway (http.response.framing)\n", response.body());
                    assertTrue(exchange.closedByPeer());
                }
                assertTrue(protowrap.isAlive(), protowrap.output());
            }
        }
    }

    /** A backend that answers every connection with the same bytes, whatever it was sent, then closes. */
    private static final class CannedBackend implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        CannedBackend(String answer) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        InputStream in = socket.getInputStream();
                        in.read(new byte[4096]);
                        OutputStream out = socket.getOutputStream();
                        out.write(bytes);
                        out.flush();
                        socket.shutdownOutput();
                        socket.setSoTimeout(2000);
                        in.read(new byte[4096]);
                    } catch (IOException e) {
                        // closed, or the client went: the next one is served alike
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(Duration.ofSeconds(5));
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
