package org.protowrap.dist;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the POP3 clients of the image tests: a command line, or a Python 3 {@code poplib} snippet. */
final class Pop3Clients {

    private static final long WAIT_SECONDS = 60;

    private Pop3Clients() {}

    /** How a client ended: its exit status and everything it wrote. */
    record Result(int exit, String output) {}

    /**
     * Runs a Python 3 snippet in {@code dir} with {@code poplib}, {@code socket} and {@code ssl}
     * imported and PORT, USER, PASSWORD (the test server's account) and OUT (a directory) defined.
     */
    static Result python(Path dir, int port, String body) throws IOException, InterruptedException {
        Path out = Files.createDirectories(dir.resolve("out"));
        String script = "import poplib, socket, ssl\nPORT = %d\nUSER = '%s'\nPASSWORD = '%s'\nOUT = '%s'\n"
                .formatted(port, Pop3Dovecot.USER, Pop3Dovecot.PASSWORD, out) + body;
        Path file = dir.resolve("client.py");
        Files.writeString(file, script);
        return run(dir, List.of(Tools.require("python3"), file.toString()));
    }

    /** Runs {@code command} in {@code dir} with no input, for a minute at most. */
    static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        reader.join(5000);
        return new Result(p.exitValue(), output.toString(StandardCharsets.ISO_8859_1));
    }
}
