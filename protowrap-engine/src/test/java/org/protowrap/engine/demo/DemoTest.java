package org.protowrap.engine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.runtime.RunMode;
import org.protowrap.engine.testing.Loopback;

/**
 * The demo's machinery: its backends, its instructions and its wrappers. The bundled demo
 * configuration needs the http and smtp validators, so this runs a {@code line} wrapper in
 * front of the demo's HTTP backends instead.
 */
@Timeout(60)
class DemoTest {

    @TempDir
    Path home;

    @Test
    void twoRequestsThroughTheWrapperReachBothBackendsInTurn() throws Exception {
        Demo.Ports ports = new Demo.Ports(Loopback.freePort(), Loopback.freePort(), Loopback.freePort());
        int web = Loopback.freePort();
        int admin = Loopback.freePort();
        Path file = home.resolve("demo.yaml");
        Files.writeString(file, """
                allowRoot: true
                wrappers:
                  - name: web
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: [127.0.0.1:%d, 127.0.0.1:%d]
                admin: {listenAddr: 127.0.0.1, listenPort: %d}
                """.formatted(web, ports.web1(), ports.web2(), admin));
        Configuration config = ConfigLoader.forHome(home).load(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunMode mode = new RunMode(ConfigLoader.forHome(home), System.err);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread demo = Thread.ofPlatform().start(() -> exit.set(
                new Demo(ports, new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(config, mode)));
        try {
            String first = get(web);
            String second = get(web);
            assertTrue(first.contains("Hello from web-1"), first);
            assertTrue(second.contains("Hello from web-2"), second);
            assertTrue(sendMail(ports.smtp()).startsWith("250"));
        } finally {
            mode.requestStop("test");
            demo.join(20_000);
        }
        assertEquals(0, exit.get());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("Try:") && printed.contains("socat - TCP:127.0.0.1:" + web), printed);
        assertFalse(printed.contains(" nc "), "nc is not among the installed clients: " + printed);
        assertTrue(printed.contains("admin endpoint: http://127.0.0.1:" + admin + "/"), printed);
        assertTrue(printed.contains("demo SMTP sink: message from <alice@example.org> to [<bob@example.org>]"),
                printed);
    }

    @Test
    void theBundledConfigurationIsTheDocumentedDemo() throws IOException {
        String bundled = Files.readString(Demo.configuration(home));
        assertTrue(bundled.contains("listenPort: 8080") && bundled.contains("protocol: http")
                && bundled.contains("[127.0.0.1:9001, 127.0.0.1:9002]") && bundled.contains("listenPort: 2525")
                && bundled.contains("protocol: smtp") && bundled.contains("127.0.0.1:2526"), bundled);
        assertTrue(bundled.contains("admin:") && bundled.contains("listenPort: 8404"), bundled);
    }

    private static String get(int port) throws Exception {
        try (Socket socket = Loopback.connectWhenListening(port)) {
            socket.getOutputStream().write("GET /hello HTTP/1.0\r\nHost: demo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The reply to the end of the message. */
    private static String sendMail(int port) throws Exception {
        try (Socket socket = Loopback.connectWhenListening(port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            in.readLine();
            socket.getOutputStream().write(("EHLO test\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                    + "DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("250 2.0.0"));
            return line;
        }
    }
}
