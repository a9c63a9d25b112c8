package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.cli.Main;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.system.PrivilegeException;
import org.protowrap.engine.system.Privileges;

/**
 * Binding first, then serving as an unprivileged user. The switch itself runs in a child
 * process, never in the test JVM; the root checks need the tests to run as root and are skipped
 * otherwise.
 */
@Timeout(60)
class PrivilegesTest {

    @TempDir
    Path home;

    @Test
    void switchesToTheConfiguredUserAfterBinding() throws Exception {
        assumeTrue(runningAsRoot(), "only root can switch users");
        int port = TestConfig.freePort();
        try (TestBackend backend = TestBackend.named("b")) {
            Path file = TestConfig.write(home, """
                    user: nobody
                    wrappers:
                      - name: w
                        protocol: line
                        listenAddr: 127.0.0.1
                        listenPort: %d
                        destAddr: %s
                    """.formatted(port, backend.address()));
            home.toFile().setReadable(true, false);
            home.toFile().setExecutable(true, false);
            file.toFile().setReadable(true, false);
            try (ProtowrapProcess protowrap = ProtowrapProcess.start(home, "run", "--config", file.toString())) {
                protowrap.awaitOutput("serving as nobody");
                try (Socket client = Traffic.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    Traffic.write(client, "who\n");
                    assertEquals("b: who", TestBackend.reader(client).readLine());
                }
                protowrap.signal("TERM");
                assertEquals(0, protowrap.awaitExit(Duration.ofSeconds(30)), protowrap.output());
            }
        }
    }

    @Test
    void refusesToServeAsRootUnlessAllowed() throws Exception {
        assumeTrue(runningAsRoot(), "the check only refuses root");
        int port = TestConfig.freePort();
        Path file = TestConfig.write(home, """
                wrappers:
                  - name: w
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:1
                """.formatted(port));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new RunMode(ConfigLoader.forHome(home), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(ConfigLoader.forHome(home).load(file));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(Main.FAILURE, exit);
        assertTrue(message.contains("refusing to serve as root") && message.contains("user:")
                && message.contains("allowRoot: true"), message);
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "the listener must be released");
        }
    }

    @Test
    void anUnknownUserIsAnError() {
        PrivilegeException e = assertThrows(PrivilegeException.class,
                () -> Privileges.settle(Optional.of("no-such-user-protowrap"), Optional.empty(), true));
        assertTrue(e.getMessage().contains("no-such-user-protowrap"), e.getMessage());
    }

    private static boolean runningAsRoot() throws IOException {
        return Files.exists(Path.of("/proc/self"))
                && ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
