package org.protowrap.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.protowrap.testkit.Eventually;

/**
 * The real SMTP servers behind the wrapper in the SMTP tests, started on loopback: Postfix's
 * {@code smtp-sink}, which writes each message it accepts to its own file, and
 * {@code smtp_recorder.py}, an aiosmtpd server extended with BDAT that does the same and logs
 * every command line it receives.
 */
final class SmtpServers {

    /** The aiosmtpd the tests rely on is the Debian package, for the system Python. */
    static final String SYSTEM_PYTHON = "/usr/bin/python3";

    private static final int START_ATTEMPTS = 3;
    private static final long START_TIMEOUT_MILLIS = 20_000;
    private static final long SETTLE_MILLIS = 10_000;

    private SmtpServers() {}

    /** A started server: where it listens, the folder of the messages it accepted, its log. */
    record SmtpServer(String name, int port, Path messageDir, ExternalProcess process) implements AutoCloseable {

        /**
         * The message files in the folder, in name order: one per accepted message, and for
         * smtp-sink one per transaction in progress too (see {@link #messagesSettledTo}).
         */
        List<Path> messages() {
            try (Stream<Path> files = Files.list(messageDir)) {
                return files.filter(f -> !f.getFileName().toString().endsWith(".part")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Deletes the recorded messages, so that the next check sees only what comes after. */
        void forgetMessages() throws IOException {
            for (Path message : messages()) {
                Files.delete(message);
            }
        }

        /**
         * The messages the server holds once they are no more than {@code expected}, or after a
         * while if they never are: smtp-sink opens a message's file at MAIL and deletes it only
         * when it notices the transaction was cut off, while an accepted message never goes away.
         */
        List<Path> messagesSettledTo(int expected) throws InterruptedException {
            return Eventually.poll(Duration.ofMillis(SETTLE_MILLIS), this::messages, held -> held.size() <= expected);
        }

        String log() {
            return process.output();
        }

        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }

    /**
     * Postfix's smtp-sink with {@code options} (e.g. {@code -p}: no PIPELINING), writing each
     * message to its own file. As root it must switch to an unprivileged user, which then needs
     * to reach the message folder.
     */
    static SmtpServer smtpSink(Path dir, String... options) throws IOException, InterruptedException {
        Path messages = Files.createDirectories(dir.resolve("sink-messages"));
        Files.setPosixFilePermissions(messages, PosixFilePermissions.fromString("rwxrwxrwx"));
        letEveryoneThrough(dir);
        boolean root = "root".equals(System.getProperty("user.name"));
        return start("smtp-sink", dir, messages, port -> {
            List<String> command = new ArrayList<>(List.of(Tools.require("smtp-sink")));
            if (root) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.addAll(List.of(options));
            command.addAll(List.of("-d", messages + "/%H%M%S.", "127.0.0.1:" + port, "64"));
            return command;
        });
    }

    /**
     * The recording server with {@code options}: {@code --chunking} (advertise and serve BDAT),
     * {@code --smtputf8} (advertise and accept SMTPUTF8), {@code --starttls} (advertise STARTTLS),
     * {@code --greeting-delay SECONDS},
     * {@code --tls-cert CERT --tls-key KEY} (advertise and serve STARTTLS),
     * {@code --auth USER:PASSWORD} (offer AUTH PLAIN and LOGIN, accept that user only).
     */
    static SmtpServer recorder(Path dir, String... options) throws IOException, InterruptedException {
        Path script = dir.resolve("smtp_recorder.py");
        try (InputStream in = SmtpServers.class.getResourceAsStream("/smtp/smtp_recorder.py")) {
            Files.copy(in, script);
        }
        Path messages = Files.createDirectories(dir.resolve("recorded-messages"));
        return start("smtp-recorder", dir, messages, port -> {
            List<String> command = new ArrayList<>(List.of(SYSTEM_PYTHON, script.toString(),
                    "--port", Integer.toString(port), "--messages", messages.toString()));
            command.addAll(List.of(options));
            return command;
        });
    }

    /** Starts a server on a fresh port, again on another one if it could not bind (it exited). */
    private static SmtpServer start(String name, Path dir, Path messages, IntFunction<List<String>> command)
            throws IOException, InterruptedException {
        String lastOutput = "";
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = SmtpPorts.unused();
            ExternalProcess process = ExternalProcess.start(name, dir, command.apply(port));
            if (awaitListening(process, port)) {
                return new SmtpServer(name, port, messages, process);
            }
            lastOutput = process.output();
            process.close();
        }
        throw new AssertionError(name + " did not start after " + START_ATTEMPTS + " attempts; its output:\n" + lastOutput);
    }

    /** Whether the server listens on {@code port}; false as soon as it has exited. */
    private static boolean awaitListening(ExternalProcess process, int port) throws InterruptedException {
        return Eventually.poll(Duration.ofMillis(START_TIMEOUT_MILLIS), () -> Ports.listening(port),
                listening -> listening || !process.isAlive());
    }

    /**
     * Lets every user pass through {@code dir} and its parents up to the system's temporary
     * folder (test folders are made private): an unprivileged server must reach its files.
     */
    static void letEveryoneThrough(Path dir) throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        for (Path p = dir.toAbsolutePath(); p != null && p.startsWith(temp) && !p.equals(temp); p = p.getParent()) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
            permissions.addAll(Set.of(PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(p, permissions);
        }
    }
}
