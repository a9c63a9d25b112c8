package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
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
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP and SIGTERM sent to a real {@code protowrap run} process. */
@Timeout(90)
class SignalsTest {

    @TempDir
    Path home;

    @Test
    void sighupMovesNewConnectionsWhileAnOpenOneKeepsItsBackend() throws Exception {
        int port = TestConfig.freePort();
        InetSocketAddress wrapper = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (TestBackend one = TestBackend.named("one");
                TestBackend two = TestBackend.named("two");
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port, one.address(), ""))) {
            protowrap.awaitOutput("listening on");
            assertHupHandled(protowrap);
            try (Socket open = Traffic.connect(wrapper)) {
                BufferedReader openIn = TestBackend.reader(open);
                Traffic.write(open, "before\n");
                assertEquals("one: before", openIn.readLine());

                TestConfig.write(home, TestConfig.lineWrapper(port, two.address(), ""));
                protowrap.signal("HUP");
                protowrap.awaitOutput("reload: applied");
                try (Socket fresh = Traffic.connect(wrapper)) {
                    Traffic.write(fresh, "new\n");
                    assertEquals("two: new", TestBackend.reader(fresh).readLine());
                }
                Traffic.write(open, "after\n");
                assertEquals("one: after", openIn.readLine());
            }
            protowrap.signal("TERM");
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            assertTrue(protowrap.output().contains("1 changed"), protowrap.output());
        }
    }

    @Test
    void sighupKeepsTheHealthOfTheBackendsItKeeps() throws Exception {
        int port = TestConfig.freePort();
        InetSocketAddress wrapper = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        String checks = "healthCheck: {interval: 100ms, timeout: 1s, rise: 2, fall: 2}\n";
        try (TestBackend one = TestBackend.named("one");
                TestBackend two = TestBackend.named("two");
                TestBackend three = TestBackend.named("three");
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port,
                        "[" + one.address() + ", " + two.address() + "]", checks))) {
            protowrap.awaitOutput("listening on");
            assertHupHandled(protowrap);
            two.stopListening();
            protowrap.awaitOutput("backend=" + two.address() + " health UP -> DOWN");

            TestConfig.write(home, TestConfig.lineWrapper(port,
                    "[" + one.address() + ", " + two.address() + ", " + three.address() + "]", checks));
            protowrap.signal("HUP");
            protowrap.awaitOutput("reload: applied");
            for (String expected : List.of("one", "three", "one", "three")) {
                try (Socket client = Traffic.connect(wrapper)) {
                    Traffic.write(client, "hi\n");
                    assertEquals(expected + ": hi", TestBackend.reader(client).readLine());
                }
            }
            protowrap.signal("TERM");
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            String output = protowrap.output();
            assertEquals(1, output.lines().filter(l -> l.contains("backend=" + two.address() + " health")).count(),
                    output);
            assertFalse(output.contains("backend=" + two.address() + " failed"), output);
        }
    }

    @Test
    void sighupWithAnInvalidFileKeepsTheRunningConfiguration() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend one = TestBackend.named("one");
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port, one.address(), ""))) {
            protowrap.awaitOutput("listening on");
            assertHupHandled(protowrap);
            Files.writeString(home.resolve("protowrap.yaml"), TestConfig.lineWrapper(port, one.address(),
                    "maxLineLength: lots\nnoSuchKey: 1\n"));
            protowrap.signal("HUP");
            protowrap.awaitOutput("still serving the previous configuration");
            try (Socket client = Traffic.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                Traffic.write(client, "still here\n");
                assertEquals("one: still here", TestBackend.reader(client).readLine());
            }
            protowrap.signal("TERM");
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            String output = protowrap.output();
            assertTrue(output.contains("maxLineLength") && output.contains("noSuchKey"), output);
        }
    }

    @Test
    void sigtermLetsAnInFlightTransferFinishThenExitsZero() throws Exception {
        int port = TestConfig.freePort();
        byte[] block = Traffic.block(7);
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch stopping = new CountDownLatch(1);
        try (TestBackend slow = TestBackend.start(socket -> {
                    TestBackend.reader(socket).readLine();
                    asked.countDown();
                    stopping.await();
                    Traffic.send(socket.getOutputStream(), block, 16);
                    socket.shutdownOutput();
                });
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port, slow.address(), ""));
                Socket client = connectWhenListening(protowrap, port)) {
            Traffic.write(client, "send me a megabyte\n");
            asked.await();
            protowrap.signal("TERM");
            protowrap.awaitOutput("no longer accepting");
            stopping.countDown();
            client.shutdownOutput();
            assertEquals(new Traffic.Received(16L * Traffic.BLOCK, Traffic.digestOf(block, 16)),
                    Traffic.receive(client.getInputStream()));
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            assertTrue(protowrap.output().contains("1 connection(s) drained, 0 cut"), protowrap.output());
        }
    }

    @Test
    void aSecondSigtermCutsWhatIsStillOpen() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend silent = TestBackend.start(socket -> socket.getInputStream().transferTo(
                        java.io.OutputStream.nullOutputStream()));
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port, silent.address(), "")
                        .replace("shutdownGrace: 5s", "shutdownGrace: 1h"));
                Socket client = connectWhenListening(protowrap, port)) {
            Traffic.write(client, "an answer that never comes\n");
            RelayEndToEndTest.awaitTrue(() -> silent.accepted() == 1);
            protowrap.signal("TERM");
            protowrap.awaitOutput("no longer accepting; 1 connection(s) in flight");
            protowrap.signal("TERM");
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            assertTrue(protowrap.output().contains("0 connection(s) drained, 1 cut"), protowrap.output());
            assertEquals("", Traffic.readToEnd(client));
        }
    }

    /** An idle SMTP session ends at once when asked to drain: it is counted as in flight, then drained. */
    @Test
    void sigtermCountsASessionItDrainsAtOnce() throws Exception {
        int port = TestConfig.freePort();
        try (TestBackend smtp = TestBackend.start(socket -> {
                    OutputStream out = socket.getOutputStream();
                    out.write("220 backend ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    TestBackend.reader(socket).readLine();
                    out.write("250 backend\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                });
                ProtowrapProcess protowrap = run(TestConfig.lineWrapper(port, smtp.address(), "")
                        .replace("protocol: line", "protocol: smtp"));
                Socket client = connectWhenListening(protowrap, port)) {
            BufferedReader reader = TestBackend.reader(client);
            assertEquals("220 backend ESMTP", reader.readLine());
            Traffic.write(client, "EHLO client\r\n");
            assertEquals("250 backend", reader.readLine());
            protowrap.signal("TERM");
            assertTrue(reader.readLine().startsWith("421 4.3.2"));
            assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)));
            String output = protowrap.output();
            assertTrue(output.contains("1 connection(s) in flight") && output.contains("1 connection(s) drained, 0 cut"),
                    output);
        }
    }

    /** The process is started with SIGHUP at its default ({@link ProtowrapProcess#command}), so it handles it. */
    private static void assertHupHandled(ProtowrapProcess protowrap) throws IOException {
        assertFalse(protowrap.output().contains("SIGHUP was ignored"), protowrap.output());
    }

    private ProtowrapProcess run(String yaml) throws IOException {
        Path file = TestConfig.write(home, yaml);
        return ProtowrapProcess.start(home, "run", "--config", file.toString());
    }

    private static Socket connectWhenListening(ProtowrapProcess protowrap, int port) throws Exception {
        protowrap.awaitOutput("listening on");
        return Traffic.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
}
