package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Path;

/** The runtime image running one {@code smtp} wrapper on loopback in front of one SMTP server. */
final class SmtpWrapper implements AutoCloseable {

    private static final long LOG_WAIT_MILLIS = 10_000;

    private final int port;
    private final ExternalProcess process;

    private SmtpWrapper(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    /** Starts the image in front of {@code backendPort}, with the wrapper's default options. */
    static SmtpWrapper start(Path dir, int backendPort) throws IOException, InterruptedException {
        int port = SmtpPorts.unused();
        String yaml = """
                logLevel: 2
                allowRoot: true
                shutdownGrace: 1s
                wrappers:
                  - name: mail
                    protocol: smtp
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    testReply: true
                """.formatted(port, backendPort);
        return new SmtpWrapper(port, ProtowrapImage.run(dir, yaml, port));
    }

    int port() {
        return port;
    }

    String log() {
        return process.output();
    }

    /** How much the log holds now: a mark for {@link #awaitRejection(String, int)}. */
    int logLength() {
        return log().length();
    }

    /** {@link #awaitRejection(String, int)} over the whole log. */
    String awaitRejection(String rule) throws InterruptedException {
        return awaitRejection(rule, 0);
    }

    /**
     * Waits until the log, from {@code mark} on, holds a rejection naming {@code rule}, and
     * returns that line; fails if none comes. The line may reach the log file after the client
     * has had its reply.
     */
    String awaitRejection(String rule, int mark) throws InterruptedException {
        long deadline = System.currentTimeMillis() + LOG_WAIT_MILLIS;
        do {
            var line = log().substring(mark).lines().filter(l -> l.contains(" rule=" + rule + " ")).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no rejection naming rule " + rule + " in the wrapper's log:\n" + log().substring(mark));
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
