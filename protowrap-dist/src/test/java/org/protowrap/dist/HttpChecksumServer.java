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

/**
 * The JDK's HTTP server, in the test JVM, answering every request with the SHA-256 and the length
 * of the body it read: proof of what a backend received, byte for byte, without storing it.
 * The answer is one line: {@code <sha-256 hex> <length>}.
 */
final class HttpChecksumServer implements AutoCloseable {

    private final HttpServer server;

    private HttpChecksumServer(HttpServer server) {
        this.server = server;
    }

    static HttpChecksumServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", HttpChecksumServer::answer);
        server.start();
        return new HttpChecksumServer(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        MessageDigest sha256 = sha256();
        long length = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream body = exchange.getRequestBody()) {
            for (int n; (n = body.read(buffer)) > 0; length += n) {
                sha256.update(buffer, 0, n);
            }
        }
        byte[] reply = (HexFormat.of().formatHex(sha256.digest()) + " " + length + "\n").getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, reply.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply);
        }
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
