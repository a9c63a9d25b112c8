package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batching console appender of the image's logback configuration, in a real {@code protowrap
 * run} and {@code protowrap inetd} process: access lines still waiting in its buffer are written
 * when the process stops.
 */
@Timeout(90)
class AccessLinesAtExitTest {

    @TempDir
    Path home;

    /** So long a delay that only stopping can write an access line, unless another line follows it. */
    private List<String> batchingLogback() throws IOException {
        Path logback = Files.writeString(home.resolve("logback.xml"), """
                <configuration>
                  <appender name="STDERR" class="org.protowrap.engine.logging.BatchingConsoleAppender">
                    <maxDelay>10 minutes</maxDelay>
                    <encoder><pattern>%logger{0}: %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        return List.of("-Dlogback.configurationFile=" + logback);
    }

    private static boolean hasAccessLine(String log) {
        return log.lines().anyMatch(l -> l.matches("access: wrapper=w conn=\\d+ client=.* outcome=.*"));
    }

    @Test
    void sigtermWritesTheAccessLinesStillBuffered() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("one");
                ProtowrapProcess protowrap = ProtowrapProcess.start(home, batchingLogback(), "run", "--config",
                        TestConfig.write(home, TestConfig.lineWrapper(port, backend.address(), "")).toString())) {
            protowrap.awaitOutput("listening on");
            try (Socket client = Traffic.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                Traffic.write(client, "hi\n");
                assertEquals("one: hi", TestBackend.reader(client).readLine());
            }
            protowrap.signal("TERM");
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            assertTrue(hasAccessLine(protowrap.output()), protowrap.output());
        }
    }

    /** Here the access line is the last line: the process's exit alone must write it. */
    @Test
    void theEndOfAnInetdConnectionWritesItsAccessLine() throws Exception {
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), ""));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(command.indexOf("-m"), batchingLogback());
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            Process process = new ProcessBuilder(command).redirectError(home.resolve("stderr").toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write("first\n".getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            String log = Files.readString(home.resolve("stderr"));
            assertEquals("b: first\n", out, log);
            assertTrue(hasAccessLine(log), log);
        }
    }
}
