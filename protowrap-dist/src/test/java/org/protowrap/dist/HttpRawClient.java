package org.protowrap.dist;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client that writes exactly the bytes a test gives it, for requests no well-behaved client
 * would send, and reads responses until the other side closes the connection.
 */
final class HttpRawClient {

    private static final int READ_TIMEOUT_MS = 10_000;

    private HttpRawClient() {}

    /** What came back on one connection; {@code closedByPeer} is false when the read timed out instead. */
    record Exchange(int localPort, String wire, boolean closedByPeer) {

        /** The responses in {@link #wire}, which must all be framed by Content-Length. */
        List<Response> responses() {
            return parse(wire);
        }
    }

    /** One response; header names in lower case. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    static Exchange send(int port, String request) throws IOException {
        return send(new Socket(InetAddress.getLoopbackAddress(), port), request);
    }

    /** Sends on a socket the test opened (a TLS one, say), then closes it. */
    static Exchange send(Socket socket, String request) throws IOException {
        try (Connection connection = open(socket)) {
            connection.write(request);
            return connection.readUntilClosed();
        }
    }

    static Connection open(int port) throws IOException {
        return open(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    private static Connection open(Socket socket) throws IOException {
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return new Connection(socket);
    }

    /** A connection written in parts, for a test that must wait for something between them. */
    static final class Connection implements AutoCloseable {

        private final Socket socket;

        private Connection(Socket socket) {
            this.socket = socket;
        }

        void write(String bytes) throws IOException {
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        Exchange readUntilClosed() throws IOException {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean closed = true;
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException stillOpen) {
                closed = false;
            }
            return new Exchange(socket.getLocalPort(), received.toString(StandardCharsets.ISO_8859_1), closed);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Responses framed by Content-Length, which nginx's static responses and the wrapper's refusals have. */
    static List<Response> parse(String wire) {
        List<Response> responses = new ArrayList<>();
        int at = 0;
        while (at < wire.length()) {
            int headEnd = wire.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                throw new AssertionError("incomplete response head: " + wire.substring(at));
            }
            String[] lines = wire.substring(at, headEnd).split("\r\n");
            Map<String, String> headers = headers(lines);
            int bodyStart = headEnd + 4;
            int bodyEnd = bodyStart + Integer.parseInt(headers.getOrDefault("content-length", "0"));
            responses.add(new Response(Integer.parseInt(lines[0].split(" ")[1]), headers,
                    wire.substring(bodyStart, Math.min(bodyEnd, wire.length()))));
            at = bodyEnd;
        }
        return responses;
    }

    private static Map<String, String> headers(String[] lines) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.put(name, lines[i].substring(colon + 1).trim());
        }
        return headers;
    }
}
