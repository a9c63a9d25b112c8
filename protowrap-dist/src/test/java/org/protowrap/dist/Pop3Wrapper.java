package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The runtime image running one {@code pop3} wrapper on loopback in front of one POP3 server. */
final class Pop3Wrapper extends ImageWrapper {

    private Pop3Wrapper(int port, ExternalProcess process) {
        super(port, process);
    }

    /**
     * Starts the image in front of {@code backendPort} with the documented defaults: only the
     * wrapper's required keys, no {@code options}, no {@code rules}.
     */
    static Pop3Wrapper start(Path dir, int backendPort) throws IOException, InterruptedException {
        return start(dir, backendPort, 2, "");
    }

    /**
     * Starts the image at {@code logLevel}, with {@code extra} wrapper keys (YAML lines indented
     * as the wrapper's, e.g. {@code "    healthCheck: {}\n"}).
     */
    static Pop3Wrapper start(Path dir, int backendPort, int logLevel, String extra)
            throws IOException, InterruptedException {
        int port = SmtpPorts.unused();
        String yaml = """
                logLevel: %d
                allowRoot: true
                shutdownGrace: 1s
                wrappers:
                  - name: pop
                    protocol: pop3
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                """.formatted(logLevel, port, backendPort) + extra;
        return new Pop3Wrapper(port, ProtowrapImage.run(dir, yaml, port));
    }

    /** {@link #awaitLine(String)} with a longer wait, for what happens on a timer. */
    String awaitLine(String text, long waitMillis) throws InterruptedException {
        return awaitLine(0, text, Duration.ofMillis(waitMillis));
    }
}
