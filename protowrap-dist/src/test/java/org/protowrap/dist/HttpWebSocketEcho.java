package org.protowrap.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real WebSocket server: Debian's Python websockets package running {@code http/websocket-echo.py}. */
final class HttpWebSocketEcho implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";

    private final int port;
    private final ExternalProcess process;

    private HttpWebSocketEcho(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    static HttpWebSocketEcho start(Path dir) throws IOException, InterruptedException {
        Path script = dir.resolve("websocket-echo.py");
        try (InputStream in = HttpWebSocketEcho.class.getResourceAsStream("/http/websocket-echo.py")) {
            Files.copy(in, script);
        }
        int port = Ports.free();
        // Debian's interpreter, not whichever python3 comes first on PATH: that is where the package is.
        ExternalProcess process = ExternalProcess.start("websocket-echo", dir,
                List.of(PYTHON, script.toString(), String.valueOf(port)));
        return new HttpWebSocketEcho(port, process.awaitPort(port));
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
