package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Path;

/** The runtime image running one {@code pop3} wrapper on loopback in front of one POP3 server. */
final class Pop3Wrapper implements AutoCloseable {

    private static final long LOG_WAIT_MILLIS = 10_000;

    private final int port;
    private final ExternalProcess process;

    private Pop3Wrapper(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Starts the image in front of {@code backendPort} with the documented defaults: only the
     * wrapper's required keys, no {@code options}, no {@code rules}.
     */
    static Pop3Wrapper start(Path dir, int backendPort) throws IOException, InterruptedException {
        int port = SmtpPorts.unused();
        String yaml = """
                allowRoot: true
                shutdownGrace: 1s
                wrappers:
                  - name: pop
                    protocol: pop3
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                """.formatted(port, backendPort);
        return new Pop3Wrapper(port, ProtowrapImage.run(dir, yaml, port));
    }

    int port() {
        return port;
    }

    String log() {
        return process.output();
    }

    /** Waits until a line of the log holds {@code text}, and returns it; fails if none comes. */
    String awaitLine(String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + LOG_WAIT_MILLIS;
        do {
            var line = log().lines().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no line with \"" + text + "\" in the wrapper's log:\n" + log());
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
