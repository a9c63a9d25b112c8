package org.protowrap.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.testing.Loopback;

/** {@code protowrap run} through the real main class, in this JVM. */
@Timeout(60)
class MainTest {

    @TempDir
    Path home;

    @Test
    void runServesUntilSigtermAndExitsZero() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> answerOneLine(backend));
            int port = Loopback.freePort();
            Path file = write(port, "127.0.0.1:" + backend.getLocalPort());
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread main = Thread.ofPlatform().start(() -> exit.set(Main.run(List.of("run", "--config", file.toString()),
                    System.out, new PrintStream(err, true, StandardCharsets.UTF_8))));
            try (Socket client = Loopback.connectWhenListening(port)) {
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("pong: ping", new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.UTF_8)).readLine());
            }
            // as an operator would: kill(1), to this very process
            new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
            main.join(20_000);
            assertEquals(Main.OK, exit.get(), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void runWithAnInvalidConfigurationListsEveryProblemAndExitsTwo() throws IOException {
        Path file = home.resolve("bad.yaml");
        Files.writeString(file, """
                wrappers:
                  - name: w
                    protocol: line
                    listenPort: 70000
                    destAddr: 127.0.0.1:1
                    colour: blue
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of("run", "--config", file.toString()), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String problems = err.toString(StandardCharsets.UTF_8);
        assertEquals(Main.USAGE, exit);
        assertTrue(problems.contains("listenPort") && problems.contains("colour"), problems);
    }

    @Test
    void runWhenThePortIsTakenNamesItAndExitsOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = write(taken.getLocalPort(), "127.0.0.1:1");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(List.of("run", "--config", file.toString()), System.out,
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(Main.FAILURE, exit);
            assertTrue(message.contains("wrapper w: cannot listen on 127.0.0.1:" + taken.getLocalPort()), message);
        }
    }

    private Path write(int port, String destAddr) throws IOException {
        Path file = home.resolve("protowrap.yaml");
        Files.writeString(file, """
                allowRoot: true
                wrappers:
                  - name: w
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: %s
                """.formatted(port, destAddr));
        return file;
    }

    private static void answerOneLine(ServerSocket backend) {
        try (Socket socket = backend.accept()) {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            socket.getOutputStream().write(("pong: " + line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the test's read fails and says so
        }
    }
}
