package org.protowrap.dist;

import java.io.IOException;
import java.nio.file.Path;

/** The runtime image running one {@code smtp} wrapper on loopback in front of one SMTP server. */
final class SmtpWrapper extends ImageWrapper {

    private SmtpWrapper(int port, ExternalProcess process) {
        super(port, process);
    }

    /** Starts the image in front of {@code backendPort}, with the wrapper's default options. */
    static SmtpWrapper start(Path dir, int backendPort) throws IOException, InterruptedException {
        return start(dir, backendPort, 2, "{}");
    }

    /**
     * Starts the image in front of {@code backendPort} at {@code logLevel}, with the wrapper's
     * {@code options} as a YAML flow mapping, e.g. {@code {starttls: passthrough}}.
     */
    static SmtpWrapper start(Path dir, int backendPort, int logLevel, String options)
            throws IOException, InterruptedException {
        return start(dir, backendPort, logLevel, options, "shutdownGrace: 1s\n");
    }

    /** Starts the image in front of {@code backendPort} with every default, the shutdown grace (30 s) included. */
    static SmtpWrapper startWithDefaultGrace(Path dir, int backendPort) throws IOException, InterruptedException {
        return start(dir, backendPort, 2, "{}", "");
    }

    /**
     * Starts the image in front of {@code backendPort} with the wrapper's default options,
     * answering STARTTLS itself: {@code tls: {certificate, key, mode: starttls}}.
     */
    static SmtpWrapper startTls(Path dir, int backendPort, Path certificate, Path key)
            throws IOException, InterruptedException {
        String tls = "    tls: {certificate: %s, key: %s, mode: starttls}\n".formatted(certificate, key);
        return start(dir, backendPort, 2, "{}\n" + tls, "shutdownGrace: 1s\n");
    }

    private static SmtpWrapper start(Path dir, int backendPort, int logLevel, String options, String global)
            throws IOException, InterruptedException {
        int port = SmtpPorts.unused();
        String yaml = """
                logLevel: %d
                allowRoot: true
                %swrappers:
                  - name: mail
                    protocol: smtp
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    testReply: true
                    options: %s
                """.formatted(logLevel, global, port, backendPort, options);
        return new SmtpWrapper(port, ProtowrapImage.run(dir, yaml, port));
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
        return awaitLine(mark, " rule=" + rule + " ", LOG_WAIT);
    }
}
