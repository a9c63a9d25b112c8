package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The image in front of the real servers of the HTTP end-to-end tests, with the {@code http}
 * validator's defaults: wrapper {@code web} to nginx, {@code upload} to the checksum server,
 * {@code ws} to the WebSocket echo server. Closing it stops them all.
 */
record HttpStack(ExternalProcess protowrap, HttpNginx nginx, HttpChecksumServer checksums, HttpWebSocketEcho websocket,
        int webPort, int uploadPort, int websocketPort) implements AutoCloseable {

    static HttpStack start(Path dir) throws IOException, InterruptedException {
        HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")));
        HttpChecksumServer checksums = HttpChecksumServer.start();
        HttpWebSocketEcho websocket = HttpWebSocketEcho.start(dir);
        int web = Ports.free();
        int upload = Ports.free();
        int ws = Ports.free();
        ExternalProcess protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                  - {name: upload, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                  - {name: ws, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                """.formatted(web, nginx.port(), upload, checksums.port(), ws, websocket.port()), web, upload, ws);
        return new HttpStack(protowrap, nginx, checksums, websocket, web, upload, ws);
    }

    HttpWrapperLog log(String wrapper) {
        return new HttpWrapperLog(protowrap, wrapper);
    }

    /** A field of the wrapper's {@code /proc/<pid>/status} that counts kB ({@code VmRSS}, {@code VmHWM}), in bytes. */
    long wrapperMemory(String field) throws IOException {
        Path status = Path.of("/proc/" + protowrap.pid() + "/status");
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError(field + " is not in " + status);
    }

    /** Fails with the wrapper's log if it is no longer running: it must outlive everything the tests sent. */
    void assertWrapperRunning() {
        if (!protowrap.isAlive()) {
            throw new AssertionError("protowrap exited during the tests:\n" + protowrap.output());
        }
    }

    @Override
    public void close() throws InterruptedException {
        try (ExternalProcess p = protowrap; HttpNginx n = nginx; HttpChecksumServer c = checksums;
                HttpWebSocketEcho w = websocket) {
            // each stopped in turn, even if one fails to stop
        }
    }
}
