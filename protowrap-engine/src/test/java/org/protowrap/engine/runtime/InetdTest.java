package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.testing.Loopback;

/** {@code protowrap inetd}: one connection on standard input and output. */
@Timeout(90)
class InetdTest {

    @TempDir
    Path home;

    @Test
    void servesOneConnectionOnItsStandardStreams() throws Exception {
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), ""));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            Process process = new ProcessBuilder(command).redirectError(home.resolve("stderr").toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write("first\nsecond\n".getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            String log = Files.readString(home.resolve("stderr"));
            assertEquals("b: first\nb: second\n", out, log);
            assertEquals(0, process.exitValue(), log);
        }
    }

    @Test
    void servesConnectionsThatSocatHandsOver() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), ""));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            // socat splits EXEC's command at spaces and colons: a launcher script, as in real use
            Path launcher = home.resolve("protowrap-inetd");
            Files.writeString(launcher, "#!/bin/sh\nexec " + String.join(" ",
                    command.stream().map(arg -> "'" + arg + "'").toList()) + "\n");
            launcher.toFile().setExecutable(true);
            Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                    "EXEC:" + launcher).redirectErrorStream(true)
                    .redirectOutput(home.resolve("socat.out").toFile()).start();
            try {
                for (int i = 0; i < 2; i++) {
                    try (Socket client = Loopback.connectWhenListening(port)) {
                        // the answer first: socat gives the other side only 0.5 s after one side's end
                        Traffic.write(client, "hello " + i + "\n");
                        assertEquals("b: hello " + i, TestBackend.reader(client).readLine(),
                                () -> output(home.resolve("socat.out")));
                        client.shutdownOutput();
                        assertEquals("", Traffic.readToEnd(client));
                    }
                }
                assertEquals(2, backend.accepted());
            } finally {
                socat.destroy();
                socat.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** With socat's {@code nofork}, the program inherits the TCP socket itself: the access lists see the client. */
    @Test
    void refusesClientsByAddressOnAnInheritedSocket() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), "deny: [127.0.0.3]")
                    .replace("protocol: line", "protocol: smtp"));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            Path launcher = home.resolve("protowrap-inetd");
            Files.writeString(launcher, "#!/bin/sh\nexec " + String.join(" ",
                    command.stream().map(arg -> "'" + arg + "'").toList()) + "\n");
            launcher.toFile().setExecutable(true);
            Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                    "EXEC:" + launcher + ",nofork").redirectErrorStream(true)
                    .redirectOutput(home.resolve("socat.out").toFile()).start();
            try {
                try (Socket client = connectFrom("127.0.0.3", port)) {
                    assertEquals("554 5.7.1 Access denied\r\n", Traffic.readToEnd(client),
                            () -> output(home.resolve("socat.out")));
                }
                assertEquals(0, backend.accepted(), "the refused client never reached the backend");
            } finally {
                socat.destroy();
                socat.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Without a socket on standard input the client's address is unknown: access lists fail closed. */
    @Test
    void refusesAClientOfUnknownAddressOnStandardStreams() throws Exception {
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), "deny: [192.0.2.66]")
                    .replace("protocol: line", "protocol: smtp"));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            Process process = new ProcessBuilder(command).redirectError(home.resolve("stderr").toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            String log = Files.readString(home.resolve("stderr"));
            assertEquals("554 5.7.1 Access denied\r\n", out, log);
            assertTrue(log.contains("standard input is not a socket") && log.contains("nofork"), log);
            assertEquals(0, backend.accepted(), "the refused client never reached the backend");
        }
    }

    /** socat without {@code nofork} hands over a socket pair: the client's address is unknown, so an allow list refuses it. */
    @Test
    void refusesClientsThatSocatHandsOverWithoutTheirAddress() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), "allow: [192.0.2.0/24]")
                    .replace("protocol: line", "protocol: smtp"));
            List<String> command = ProtowrapProcess.command(home);
            command.addAll(List.of("inetd", "--config", file.toString(), "--wrapper", "w"));
            Path launcher = home.resolve("protowrap-inetd");
            Files.writeString(launcher, "#!/bin/sh\nexec " + String.join(" ",
                    command.stream().map(arg -> "'" + arg + "'").toList()) + "\n");
            launcher.toFile().setExecutable(true);
            Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                    "EXEC:" + launcher).redirectErrorStream(true)
                    .redirectOutput(home.resolve("socat.out").toFile()).start();
            try {
                try (Socket client = Loopback.connectWhenListening(port)) {
                    assertEquals("554 5.7.1 Access denied\r\n", Traffic.readToEnd(client),
                            () -> output(home.resolve("socat.out")));
                }
                assertEquals(0, backend.accepted(), "the refused client never reached the backend");
            } finally {
                socat.destroy();
                socat.waitFor(10, TimeUnit.SECONDS);
            }
            String log = output(home.resolve("socat.out"));
            assertTrue(log.contains("client's address is unknown") && log.contains("nofork"), log);
        }
    }

    /** Connects from {@code from} once socat listens. */
    private static Socket connectFrom(String from, int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            Socket client = new Socket();
            try {
                client.bind(new java.net.InetSocketAddress(from, 0));
                client.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(20_000);
                return client;
            } catch (java.net.ConnectException e) {
                client.close();
                if (attempt == 200) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String output(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

}
