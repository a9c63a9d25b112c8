package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.testkit.Eventually;

/**
 * The image as a systemd service: its unit passes {@code systemd-analyze verify}, and {@code run}
 * speaks the notification protocol ({@code Type=notify}) to the socket in {@code NOTIFY_SOCKET},
 * here a Python receiver standing in for systemd.
 */
@Timeout(60)
class SystemdIT {

    private static final Path UNIT = ProtowrapImage.HOME.resolve("conf/systemd/protowrap.service");

    /**
     * The unit as shipped, except that it names this image instead of /opt/protowrap (verify
     * checks that every command exists). Any output (an unknown key, a bad value) fails the test,
     * since verify still exits 0 for those.
     */
    @Test
    void theUnitPassesSystemdAnalyzeVerify(@TempDir Path dir) throws Exception {
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("ExecStart=/opt/protowrap/bin/protowrap run --config /etc/protowrap/protowrap.yaml"),
                unit);
        Path copy = dir.resolve("protowrap.service");
        Files.writeString(copy, unit.replace("/opt/protowrap/", ProtowrapImage.HOME.toAbsolutePath() + "/"));
        Process verify = new ProcessBuilder(Tools.require("systemd-analyze"), "verify", copy.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), output);
        assertEquals("", output.strip());
    }

    @Test
    void notifiesReadyOnceListeningAndAroundReloadAndShutdown(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        try (ExternalProcess receiver = receiver(dir, socket.toString())) {
            int port = Ports.free();
            ExternalProcess protowrap = ProtowrapImage.run(dir, """
                    allowRoot: true
                    wrappers:
                      - {name: echo, protocol: line, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(port, Ports.free()), Map.of("NOTIFY_SOCKET", socket.toString()));
            try (protowrap) {
                awaitDatagrams(receiver, List.of("READY=1|STATUS=serving"));
                // ready means bound: the port accepts at once
                Ports.awaitListening(port, Duration.ofMillis(300), "protowrap after READY=1");

                Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(protowrap.pid())).start();
                assertTrue(hup.waitFor(10, TimeUnit.SECONDS));
                List<String> datagrams = awaitDatagrams(receiver, List.of("READY=1", "RELOADING=1", "READY=1"));
                assertTrue(datagrams.get(1).matches("RELOADING=1\\|STATUS=reloading\\|MONOTONIC_USEC=\\d+"),
                        datagrams.get(1));

                assertEquals(0, protowrap.terminate(Duration.ofSeconds(40)), protowrap.output());
                awaitDatagrams(receiver, List.of("READY=1", "RELOADING=1", "READY=1", "STOPPING=1"));
                // the launcher grants native access to the engine: the JVM prints no warning about it
                assertFalse(protowrap.output().contains("WARNING"), protowrap.output());
            }
        }
    }

    /** Starts the receiver and waits until its socket is bound. */
    private static ExternalProcess receiver(Path dir, String socket) throws IOException, InterruptedException {
        Path script = dir.resolve("notify_receiver.py");
        try (InputStream in = SystemdIT.class.getResourceAsStream("/systemd/notify_receiver.py")) {
            Files.copy(in, script);
        }
        ExternalProcess receiver = ExternalProcess.start("notify", dir,
                List.of(Tools.require("python3"), script.toString(), socket, "30"));
        awaitLines(receiver, 1);
        return receiver;
    }

    /**
     * Waits until the receiver has received one datagram starting with each of {@code prefixes},
     * in order, and no other; returns them.
     */
    private static List<String> awaitDatagrams(ExternalProcess receiver, List<String> prefixes)
            throws InterruptedException {
        List<String> lines = awaitLines(receiver, 1 + prefixes.size());
        List<String> datagrams = lines.subList(1, lines.size());
        assertEquals(prefixes.size(), datagrams.size(), "datagrams received: " + datagrams);
        for (int i = 0; i < prefixes.size(); i++) {
            assertTrue(datagrams.get(i).startsWith(prefixes.get(i)), "datagrams received: " + datagrams);
        }
        return datagrams;
    }

    /** The receiver's output once it has {@code count} lines, or after 20 seconds. */
    private static List<String> awaitLines(ExternalProcess receiver, int count) throws InterruptedException {
        List<String> lines = Eventually.poll(Duration.ofSeconds(20), () -> receiver.output().lines().toList(),
                output -> output.size() >= count);
        assertTrue(lines.size() >= count && lines.getFirst().equals("bound"), "receiver output: " + lines);
        return lines;
    }
}
