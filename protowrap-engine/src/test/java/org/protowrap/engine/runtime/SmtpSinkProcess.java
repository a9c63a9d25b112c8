package org.protowrap.engine.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on a loopback port, each message dumped to its own file in a
 * folder of its own. A missing smtp-sink fails the test that needs it: scripts/install-test-tools installs it.
 */
final class SmtpSinkProcess implements AutoCloseable {

    static final Path PROGRAM = Path.of("/usr/sbin/smtp-sink");

    private final Process process;
    private final Path messages;
    private final int port;

    private SmtpSinkProcess(Process process, Path messages, int port) {
        this.process = process;
        this.messages = messages;
        this.port = port;
    }

    /**
     * Starts a sink on {@code port} dumping into {@code messages}, made writable for the sink's
     * user (and its parent passable); waits until it accepts.
     */
    static SmtpSinkProcess start(Path messages, int port) throws IOException, InterruptedException {
        if (!Files.isExecutable(PROGRAM)) {
            throw new AssertionError(PROGRAM + " is not installed; run scripts/install-test-tools (as root)");
        }
        Files.createDirectories(messages);
        Files.setPosixFilePermissions(messages, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(messages.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        List<String> command = new ArrayList<>(List.of(PROGRAM.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            // smtp-sink refuses to run as root; it drops to this user after binding
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(List.of("-d", messages + "/%H%M%S.", "127.0.0.1:" + port, "128"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(messages.resolveSibling(messages.getFileName() + ".log").toFile()).start();
        SmtpSinkProcess sink = new SmtpSinkProcess(process, messages, port);
        sink.awaitListening();
        return sink;
    }

    private void awaitListening() throws IOException, InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (!process.isAlive()) {
                throw new IOException("smtp-sink ended with " + process.exitValue());
            }
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IOException("smtp-sink does not listen on " + port);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** The text of every message it has dumped so far. */
    List<String> messages() throws IOException {
        try (Stream<Path> files = Files.list(messages)) {
            List<String> texts = new ArrayList<>();
            for (Path file : files.toList()) {
                texts.add(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            return texts;
        }
    }

    /** Stops the sink (SIGTERM) and waits for it. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
