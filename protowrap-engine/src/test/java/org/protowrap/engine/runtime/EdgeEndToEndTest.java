package org.protowrap.engine.runtime;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.relay.ProxyHeader;

/**
 * Access lists, rate limits, the tarpit and the PROXY protocol end to end: clients bound to
 * 127.0.0.2 and 127.0.0.3, a real HTTP exchange, and a backend that reads the PROXY header
 * ProtoWrap sends and answers with the client it names.
 */
@Timeout(60)
class EdgeEndToEndTest {

    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void allowAndDenyListsAndTheirFileReadAgainOnReload() throws Exception {
        Path denied = dir.resolve("denied.txt");
        Files.writeString(denied, "# the bad ones\n127.0.0.3   # this one\n\n");
        try (TestBackend backend = httpBackend();
                RunningServer server = RunningServer.start(TestConfig.write(dir, http(backend, """
                        allow: [127.0.0.0/29, "2001:db8::/32"]
                        deny: [{file: denied.txt}, 127.0.0.4]
                        """)))) {
            InetSocketAddress address = server.address("w");
            assertTrue(exchange("127.0.0.2", address, REQUEST).startsWith("HTTP/1.1 200 "));
            assertTrue(exchange("127.0.0.3", address, REQUEST).startsWith("HTTP/1.1 403 "), "on the denied file");
            assertTrue(exchange("127.0.0.4", address, REQUEST).startsWith("HTTP/1.1 403 "), "denied in the list");
            assertTrue(exchange("127.0.0.9", address, REQUEST).startsWith("HTTP/1.1 403 "), "not on the allow list");
            Files.writeString(denied, "127.0.0.2\n");
            assertTrue(server.server().reload(), "reloaded");
            assertTrue(exchange("127.0.0.3", address, REQUEST).startsWith("HTTP/1.1 200 "), "the file was read again");
            assertTrue(exchange("127.0.0.2", address, REQUEST).startsWith("HTTP/1.1 403 "), "the file was read again");
            assertEquals(Map.of("forbidden", 4L), server.server().status().wrappers().get(0).counts().refused());
        }
    }

    @Test
    void rateLimitPerClientAddressWithATarpit() throws Exception {
        try (TestBackend backend = httpBackend();
                RunningServer server = RunningServer.start(TestConfig.write(dir, http(backend, """
                        rateLimit: {connections: 1, per: 1h, burst: 2}
                        tarpit: 1s
                        """)))) {
            InetSocketAddress address = server.address("w");
            assertTrue(exchange("127.0.0.2", address, REQUEST).startsWith("HTTP/1.1 200 "));
            assertTrue(exchange("127.0.0.2", address, REQUEST).startsWith("HTTP/1.1 200 "));
            long started = System.nanoTime();
            String third = exchange("127.0.0.2", address, REQUEST);
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(third.startsWith("HTTP/1.1 429 "), third);
            assertTrue(waited >= 900, "the refusal waited for the tarpit: " + waited + "ms");
            assertTrue(exchange("127.0.0.3", address, REQUEST).startsWith("HTTP/1.1 200 "), "another client has its own bucket");
            assertEquals(Map.of("rate_limit", 1L), server.server().status().wrappers().get(0).counts().refused());
        }
    }

    @Test
    void smtpClientsAreRefusedBeforeTheGreetingWithTheProtocolsWords() throws Exception {
        try (TestBackend backend = TestBackend.start(socket -> {
                    socket.getOutputStream().write("220 backend ESMTP\r\n".getBytes(US_ASCII));
                    TestBackend.reader(socket).readLine();
                });
                RunningServer server = RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(),
                        "127.0.0.1:" + backend.port(), """
                        deny: [127.0.0.3]
                        rateLimit: {connections: 1, per: 1h}
                        """).replace("protocol: line", "protocol: smtp")))) {
            InetSocketAddress address = server.address("w");
            assertEquals("554 5.7.1 Access denied\r\n", exchange("127.0.0.3", address, ""));
            try (Socket first = bound("127.0.0.2", address)) {
                assertEquals("220 backend ESMTP", TestBackend.reader(first).readLine());
                assertTrue(exchange("127.0.0.2", address, "").startsWith("421 4.7.0 "), "rate limited");
            }
            assertEquals(1, backend.accepted(), "refused clients never reach the backend");
        }
    }

    /** Documented defaults: {@code proxyProtocol} with only {@code trusted}, {@code sendProxy: v2}. */
    @Test
    void theClientFromThePROXYHeaderReachesTheBackendAndTheAccessList() throws Exception {
        try (TestBackend backend = TestBackend.start(EdgeEndToEndTest::sayWhoProxies);
                RunningServer server = RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(),
                        "127.0.0.1:" + backend.port(), """
                        proxyProtocol: {trusted: [127.0.0.1]}
                        sendProxy: v2
                        deny: [192.0.2.66]
                        maxConnectionsPerClient: 1
                        """)))) {
            InetSocketAddress address = server.address("w");
            InetSocketAddress client = new InetSocketAddress("192.0.2.9", 5555);
            InetSocketAddress other = new InetSocketAddress("2001:db8::9", 6666);
            Random random = new Random(3);
            for (int i = 0; i < 10; i++) {
                byte[] v1 = concat(ProxyHeader.v1(client, address), "hello\n".getBytes(US_ASCII));
                assertEquals("from 192.0.2.9:5555 to 127.0.0.1:" + address.getPort() + ": hello\n",
                        exchangeSplit("127.0.0.1", address, v1, random));
                byte[] v2 = concat(ProxyHeader.v2(other, new InetSocketAddress("2001:db8::1", 25)), "hi\n".getBytes(US_ASCII));
                assertEquals("from 2001:db8:0:0:0:0:0:9:6666 to 2001:db8:0:0:0:0:0:1:25: hi\n",
                        exchangeSplit("127.0.0.1", address, v2, random));
            }
            int served = backend.accepted();
            byte[] denied = concat(ProxyHeader.v1(new InetSocketAddress("192.0.2.66", 1), address), "x\n".getBytes(US_ASCII));
            assertEquals("", exchangeSplit("127.0.0.1", address, denied, random), "the header's client is denied");
            assertEquals("", exchange("127.0.0.2", address, "PROXY TCP4 192.0.2.9 127.0.0.1 1 2\r\nx\n"), "untrusted peer");
            assertEquals("", exchange("127.0.0.1", address, "PROXY TCP4 192.0.2.9 127.0.0.1 1\r\nx\n"), "malformed");
            assertEquals("", exchange("127.0.0.1", address, "hello\n"), "missing");
            assertEquals(served, backend.accepted(), "no refused connection reached the backend");
            InetSocketAddress held = new InetSocketAddress("192.0.2.10", 7777);
            try (Socket first = bound("127.0.0.1", address)) {
                first.getOutputStream().write(concat(ProxyHeader.v1(held, address), "one\n".getBytes(US_ASCII)));
                assertEquals("from 192.0.2.10:7777 to 127.0.0.1:" + address.getPort() + ": one",
                        TestBackend.reader(first).readLine());
                byte[] second = concat(ProxyHeader.v1(held, address), "two\n".getBytes(US_ASCII));
                assertEquals("", exchangeSplit("127.0.0.1", address, second, random),
                        "maxConnectionsPerClient counts the header's client");
            }
            Map<String, Long> refused = server.server().status().wrappers().get(0).counts().refused();
            assertEquals(Map.of("forbidden", 1L, "proxy_protocol", 3L, "max_connections_per_client", 1L), refused);
        }
    }

    @Test
    void aTrustedPeerThatSendsNoHeaderIsClosedAfterFiveSeconds() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(),
                        "127.0.0.1:" + backend.port(), "proxyProtocol: {trusted: [127.0.0.1]}")));
                Socket silent = bound("127.0.0.1", server.address("w"))) {
            long started = System.nanoTime();
            silent.getOutputStream().write("PROXY TCP4 192.0.2.1".getBytes(US_ASCII));
            assertEquals("", readAll(silent));
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waited >= 4_500 && waited < 9_000, "closed after " + waited + "ms");
            assertEquals(0, backend.accepted());
        }
    }

    /** A backend that reads the PROXY header ProtoWrap sends, then answers each line with the addresses it names. */
    private static void sayWhoProxies(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ProxyHeader.Reader reader = new ProxyHeader.Reader();
        while (!reader.complete()) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            reader.take(ByteBuffer.wrap(new byte[] {(byte) b}));
        }
        ProxyHeader header = reader.take(ByteBuffer.allocate(0)).orElseThrow();
        String who = header.source().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("?")
                + " to " + header.destination().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("?");
        OutputStream out = socket.getOutputStream();
        var lines = TestBackend.reader(socket);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            out.write(("from " + who + ": " + line + "\n").getBytes(US_ASCII));
            out.flush();
        }
    }

    private static TestBackend httpBackend() throws IOException {
        return TestBackend.start(socket -> {
            var in = TestBackend.reader(socket);
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                // the request's head
            }
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(US_ASCII));
            socket.shutdownOutput();
        });
    }

    private String http(TestBackend backend, String extra) throws IOException {
        return TestConfig.lineWrapper(TestConfig.freePort(), "127.0.0.1:" + backend.port(), extra)
                .replace("protocol: line", "protocol: http");
    }

    private static Socket bound(String from, InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(to, 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code text} from a socket bound to {@code from} and reads all the answer until the end. */
    private static String exchange(String from, InetSocketAddress to, String text) throws IOException {
        try (Socket socket = bound(from, to)) {
            socket.getOutputStream().write(text.getBytes(US_ASCII));
            return readAll(socket);
        }
    }

    /** Sends {@code bytes} in random pieces, then ends its side, and reads the answer to the end. */
    private static String exchangeSplit(String from, InetSocketAddress to, byte[] bytes, Random random) throws IOException {
        try (Socket socket = bound(from, to)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            try {
                for (int at = 0; at < bytes.length; ) {
                    int n = Math.min(bytes.length - at, 1 + random.nextInt(12));
                    out.write(bytes, at, n);
                    out.flush();
                    at += n;
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // refused while sending: the answer shows it
            }
            return readAll(socket);
        }
    }

    private static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            socket.getInputStream().transferTo(got);
        } catch (IOException e) {
            // a reset after the refusal: what came before it counts
        }
        return got.toString(US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
