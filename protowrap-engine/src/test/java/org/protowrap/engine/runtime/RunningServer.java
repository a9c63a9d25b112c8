package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.testkit.Eventually;

/** {@code protowrap run} in this JVM, on a thread, stopped as SIGTERM would stop it. */
final class RunningServer implements AutoCloseable {

    private final RunMode mode;
    private final Thread thread;
    private final AtomicInteger exit = new AtomicInteger(-1);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private RunningServer(Path home, Configuration config) {
        mode = new RunMode(ConfigLoader.forHome(home), new PrintStream(err, true, StandardCharsets.UTF_8));
        thread = Thread.ofPlatform().name("test-run").start(() -> exit.set(mode.run(config)));
    }

    static RunningServer start(Path file) throws InterruptedException {
        return start(ConfigLoader.forHome(file.getParent()).load(file), file.getParent());
    }

    static RunningServer start(Configuration config, Path home) throws InterruptedException {
        RunningServer running = new RunningServer(home, config);
        Eventually.poll(Duration.ofSeconds(5), running.mode::server, server -> server.isPresent() || !running.thread.isAlive());
        if (running.mode.server().isEmpty() && !running.thread.isAlive()) {
            fail("run ended with " + running.exit.get() + ": " + running.err.toString(StandardCharsets.UTF_8));
        }
        return running;
    }

    Server server() {
        return mode.server().orElseThrow();
    }

    InetSocketAddress address(String wrapper) {
        return server().address(wrapper).orElseThrow();
    }

    @Override
    public void close() {
        mode.requestStop("test");
        try {
            thread.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(0, exit.get(), () -> "exit code; stderr: " + err.toString(StandardCharsets.UTF_8));
    }
}
