package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
 * More clients than the file descriptor limit allows: the image runs under {@code ulimit -n 256}
 * and gets 400 connections that hold their sockets, some of them with a backend connection open.
 * Accepting pauses instead of spinning on failed accepts, the log says so a few times rather than
 * once per failure, health checks keep finding the backend up, and once the clients leave a new
 * request is served at once.
 */
@Timeout(120)
class DescriptorExhaustionIT {

    private static final int LIMIT = 256;
    private static final int BUSY_CLIENTS = 40;
    private static final int IDLE_CLIENTS = 360;
    private static final long FLOOD_MILLIS = 6_000;

    @TempDir
    Path dir;

    @Test
    void aFloodOverTheDescriptorLimitPausesAcceptingAndLeavesTheBackendUp() throws Exception {
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")))) {
            int port = Ports.free();
            String yaml = """
                    allowRoot: true
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d,
                         destAddr: 127.0.0.1:%d, healthCheck: {interval: 1s, timeout: 1s}}
                    """.formatted(port, nginx.port());
            Path config = dir.resolve("protowrap.yaml");
            Files.writeString(config, yaml);
            List<String> command = List.of("bash", "-c", "ulimit -n " + LIMIT + " && exec \"$0\" run --config \"$1\"",
                    ProtowrapImage.launcher().toAbsolutePath().toString(), config.toString());
            try (ExternalProcess protowrap = ExternalProcess.start("protowrap", dir, command).awaitPort(port)) {
                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < BUSY_CLIENTS; i++) {
                        Socket busy = connect(port);
                        busy.getOutputStream().write("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        clients.add(busy);
                    }
                    for (int i = 0; i < IDLE_CLIENTS; i++) {
                        clients.add(connect(port));
                    }
                    Thread.sleep(FLOOD_MILLIS);
                    String log = protowrap.output();
                    assertTrue(log.contains("accepting paused"), "accepting did not pause:\n" + tail(log));
                    long lines = log.lines().count();
                    assertTrue(lines < 100, lines + " log lines during the flood:\n" + tail(log));
                    assertFalse(log.contains("health UP -> DOWN"), "the backend was taken down:\n" + tail(log));
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                }
                HttpCurl.Result page = HttpCurl.run("-sS", "--max-time", "10", "http://127.0.0.1:" + port + "/index.html");
                assertEquals(HttpNginx.INDEX, page.out(), page.err());
                assertFalse(protowrap.output().contains("health UP -> DOWN"), "the backend was taken down:\n"
                        + tail(protowrap.output()));
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
