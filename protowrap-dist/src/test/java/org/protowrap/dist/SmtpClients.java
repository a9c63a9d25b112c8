package org.protowrap.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real SMTP clients of the tests, swaks and Postfix's smtp-source, run to completion. */
final class SmtpClients {

    private static final long RUN_TIMEOUT_SECONDS = 60;

    private SmtpClients() {}

    /** How a client run ended: its exit code and everything it printed. */
    record Run(int exit, String output) {}

    /** swaks to 127.0.0.1:{@code port}, from a@example.org to b@example.org unless {@code args} say otherwise. */
    static Run swaks(Path dir, int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("swaks"), "--server", "127.0.0.1:" + port,
                "--helo", "client.example", "--from", "a@example.org", "--to", "b@example.org", "--timeout", "20"));
        command.addAll(List.of(args));
        return run(dir, "swaks", command);
    }

    /** smtp-source to 127.0.0.1:{@code port} with {@code args}. */
    static Run smtpSource(Path dir, int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("smtp-source")));
        command.addAll(List.of(args));
        command.add("127.0.0.1:" + port);
        return run(dir, "smtp-source", command);
    }

    private static Run run(Path dir, String name, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, name, ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(name + " did not finish in " + RUN_TIMEOUT_SECONDS + " s; its output:\n"
                    + Files.readString(output, StandardCharsets.ISO_8859_1));
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.ISO_8859_1));
    }
}
