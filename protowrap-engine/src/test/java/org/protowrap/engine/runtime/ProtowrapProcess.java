package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.protowrap.testkit.Eventually;

/** {@code protowrap} as a real child process, on the module path the tests run with. */
final class ProtowrapProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ProtowrapProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The command that starts {@code protowrap} with the given home. */
    static List<String> command(Path home) {
        List<String> command = new ArrayList<>();
        // a test run under nohup would pass SIGHUP on ignored, and the JVM cannot handle it then;
        // env (coreutils) execs java with it reset, so the reload tests run everywhere
        command.add("env");
        command.add("--default-signal=HUP");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=org.protowrap.engine");
        command.add("-p");
        command.add(System.getProperty("jdk.module.path"));
        command.add("-Dprotowrap.home=" + home);
        command.add("-m");
        command.add("org.protowrap.engine/org.protowrap.engine.cli.Main");
        return command;
    }

    /** Starts {@code protowrap ARGS}; standard output and error go to a log file in {@code home}. */
    static ProtowrapProcess start(Path home, String... args) throws IOException {
        return start(home, List.of(), args);
    }

    /** {@link #start(Path, String...)} with options for the JVM ({@code -Dname=value}). */
    static ProtowrapProcess start(Path home, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = command(home);
        command.addAll(command.indexOf("-m"), jvmOptions);
        command.addAll(List.of(args));
        Path log = home.resolve("protowrap.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ProtowrapProcess(process, log);
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits until the output contains {@code text}. */
    void awaitOutput(String text) throws IOException, InterruptedException {
        String output = Eventually.poll(Duration.ofSeconds(15), this::output, o -> o.contains(text) || !process.isAlive());
        assertTrue(output.contains(text) || output().contains(text), () -> (process.isAlive() ? "no '" + text + "' in"
                : "protowrap ended early") + ":\n" + safeOutput());
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    int awaitExit(Duration limit) throws InterruptedException {
        assertTrue(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS), "protowrap did not exit in time");
        return process.exitValue();
    }

    private String safeOutput() {
        try {
            return output();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
