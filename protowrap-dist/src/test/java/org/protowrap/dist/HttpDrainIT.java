package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with the default {@code shutdownGrace} (30 s) in front of keep-alive clients: idle
 * connections are closed at once, without an unsolicited response, and a request in progress is
 * answered with {@code Connection: close}. ProtoWrap then exits well before the grace ends.
 */
@Timeout(60)
class HttpDrainIT {

    private static final byte[] REQUEST = "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void idleKeepAliveConnectionsCloseAtOnceAndABusyOneAfterItsResponse() throws Exception {
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")))) {
            int port = Ports.free();
            ExternalProcess protowrap = ProtowrapImage.run(dir, """
                    allowRoot: true
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(port, nginx.port()), port);
            try (protowrap) {
                List<Socket> idle = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    Socket socket = connect(port);
                    socket.getOutputStream().write(REQUEST);
                    assertTrue(readResponse(socket.getInputStream()).endsWith(HttpNginx.INDEX));
                    idle.add(socket);
                }
                Socket busy = connect(port);
                busy.getOutputStream().write("GET /index.html HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));

                long start = System.nanoTime();
                ProcessHandle.of(protowrap.pid()).orElseThrow().destroy(); // SIGTERM
                for (Socket socket : idle) {
                    assertEquals(-1, socket.getInputStream().read(), "an idle connection got bytes instead of its end");
                }
                long idleClosedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(idleClosedMillis < 5_000, "idle connections closed after " + idleClosedMillis + " ms");

                busy.getOutputStream().write("st: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String response = readResponse(busy.getInputStream());
                assertTrue(response.startsWith("HTTP/1.1 200 "), response);
                assertTrue(response.toLowerCase().contains("\r\nconnection: close\r\n"), response);
                assertEquals(-1, busy.getInputStream().read(), "the busy connection stays open after its response");

                ProcessHandle.of(protowrap.pid()).ifPresent(p -> p.onExit().join());
                long exitMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(exitMillis < 10_000, "exited after " + exitMillis + " ms:\n" + protowrap.output());
                for (Socket socket : idle) {
                    socket.close();
                }
                busy.close();
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** One response whose content is the nginx index page: read until it is all there. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!received.toString(StandardCharsets.ISO_8859_1).endsWith(HttpNginx.INDEX)) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            received.write(buffer, 0, n);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }
}
