package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeouts with their defaults. {@code requestTimeout} (30 s) times every request head, not
 * only the first: after one valid request, a client that sends a byte of its next head every two
 * seconds (so that the idle timeout never runs out) gets 408 once the head has taken 30 s.
 * {@code serverTimeout} (60 s) limits a backend that never answers: the client gets 504, not the
 * 408 that would invite it to send its request again.
 */
@Timeout(100)
@Execution(ExecutionMode.CONCURRENT) // the tests wait out default timeouts: let the waits overlap
class HttpTimeoutsIT {

    @TempDir
    Path dir;

    @Test
    void aSilentBackendGets504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread backend = Thread.ofPlatform().daemon().start(() -> {
                try (Socket accepted = silent.accept()) {
                    accepted.getInputStream().transferTo(OutputStream.nullOutputStream()); // reads, never answers
                } catch (IOException e) {
                    // the wrapper dropped the connection
                }
            });
            int port = Ports.free();
            try (ExternalProcess protowrap = ProtowrapImage.run(dir, """
                    allowRoot: true
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(port, silent.getLocalPort()), port);
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(90_000);
                long start = System.nanoTime();
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                long seconds = (System.nanoTime() - start) / 1_000_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 504 "), answer);
                assertTrue(seconds >= 59 && seconds < 75, "504 after " + seconds + " s");
            }
            backend.join(5_000);
        }
    }

    @Test
    void aSlowSecondRequestHeadGets408() throws Exception {
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")))) {
            int port = Ports.free();
            try (ExternalProcess protowrap = ProtowrapImage.run(dir, """
                    allowRoot: true
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(port, nginx.port()), port);
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                byte[] buffer = new byte[4096];
                while (!received.toString(StandardCharsets.ISO_8859_1).endsWith(HttpNginx.INDEX)) {
                    received.write(buffer, 0, in.read(buffer));
                }
                received.reset();

                long start = System.nanoTime();
                byte[] slow = "GET /index.html HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
                try {
                    for (int i = 0; i < slow.length && in.available() == 0; i++) {
                        out.write(slow[i]);
                        Thread.sleep(2_000);
                    }
                } catch (SocketException e) {
                    // the wrapper closed while the client was still writing: its answer is read below
                }
                int n;
                while ((n = in.read(buffer)) > 0) {
                    received.write(buffer, 0, n);
                }
                long seconds = (System.nanoTime() - start) / 1_000_000_000;
                String answer = received.toString(StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(seconds >= 29 && seconds < 45, "408 after " + seconds + " s");
                assertEquals(1, nginx.accessLog().size(), "the slow head reached nginx: " + nginx.accessLog());
            }
        }
    }
}
