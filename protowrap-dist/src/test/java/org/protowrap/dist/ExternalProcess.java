package org.protowrap.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.protowrap.testkit.Eventually;

/**
 * A program a test starts (a server, the image's launcher), with its output in a log file, stopped
 * with SIGTERM (then SIGKILL) when the test closes it.
 */
final class ExternalProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ExternalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ExternalProcess start(String name, Path logDir, List<String> command) throws IOException {
        return start(name, logDir, command, Map.of());
    }

    /** Starts {@code command} with {@code environment} added to the test's own. */
    static ExternalProcess start(String name, Path logDir, List<String> command, Map<String, String> environment)
            throws IOException {
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        return new ExternalProcess(name, builder.start(), log);
    }

    /** Fails with the program's output if it is not running (it exited early). */
    ExternalProcess awaitPort(int port) throws InterruptedException {
        try {
            Ports.awaitListening(port, Duration.ofSeconds(20), name);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its output:\n" + output(), e);
        }
        return this;
    }

    /**
     * The first line of the output from {@code mark} (a length of {@link #output()}) on that holds
     * {@code text}, once there is one; fails, showing that output, if none comes {@code within}.
     */
    String awaitLine(int mark, String text, Duration within) throws InterruptedException {
        return Eventually.await(within, () -> output().substring(mark).lines().filter(l -> l.contains(text)).findFirst(),
                () -> "no line with \"" + text + "\" in the output of " + name + ":\n" + output().substring(mark));
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then waits; returns the exit code. */
    int terminate(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        if (process.isAlive()) {
            terminate(Duration.ofSeconds(10));
        }
    }
}
