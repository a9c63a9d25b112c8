package org.protowrap.dist;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's HTTP server, in the test JVM, answering every request with the SHA-256 and the length
 * of the body it read: proof of what a backend received, byte for byte, without storing it.
 * The answer is one line: {@code <sha-256 hex> <length>}. Each request also leaves events a test
 * can wait for: {@code started}, then {@code read <sha-256 hex> <length>} or {@code failed: <why>}.
 */
final class HttpChecksumServer implements AutoCloseable {

    private final HttpServer server;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    private HttpChecksumServer(HttpServer server) {
        this.server = server;
    }

    static HttpChecksumServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        HttpChecksumServer checksums = new HttpChecksumServer(server);
        server.createContext("/", checksums::answer);
        server.start();
        return checksums;
    }

    /** Forgets the events so far. */
    void clearEvents() {
        events.clear();
    }

    /** The next event; fails after a few seconds without one. */
    String nextEvent() throws InterruptedException {
        String event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("the checksum server saw nothing more within 10 seconds");
        }
        return event;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        events.add("started");
        String checksum;
        try {
            checksum = checksum(exchange.getRequestBody());
        } catch (IOException e) {
            events.add("failed: " + e);
            throw e;
        }
        events.add("read " + checksum);
        byte[] reply = (checksum + "\n").getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, reply.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply);
        }
    }

    private static String checksum(InputStream in) throws IOException {
        MessageDigest sha256 = sha256();
        long length = 0;
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; length += n) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest()) + " " + length;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
