package org.protowrap.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.protowrap.engine.demo.DemoBackends;

/**
 * The demo's own parts: its backends, its suggestions and its configuration. The whole demo,
 * wrappers included, is run through the runtime image by the image's tests.
 */
@Timeout(60)
class DemoTest {

    @Test
    void theBackendsSayWhichAnsweredAndTheSinkPrintsTheMessage() throws Exception {
        Demo.Ports ports = new Demo.Ports(freePort(), freePort(), freePort());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DemoBackends backends = new Demo(ports).start(new PrintStream(out, true, StandardCharsets.UTF_8))) {
            assertTrue(get(ports.web1()).contains("Hello from web-1"));
            assertTrue(get(ports.web2()).contains("Hello from web-2"));
            assertTrue(sendMail(ports.smtp()).startsWith("250"));
            assertEquals("web-1 on 127.0.0.1:" + ports.web1() + ", web-2 on 127.0.0.1:" + ports.web2()
                    + ", SMTP sink on 127.0.0.1:" + ports.smtp(), backends.description());
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("demo SMTP sink: message from <alice@example.org> to [<bob@example.org>]"),
                printed);
    }

    @Test
    void aBusyPortIsNamedWithTheOthersThatMustBeFree() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Demo.Ports ports = new Demo.Ports(freePort(), taken.getLocalPort(), freePort());
            IOException e = assertThrows(IOException.class,
                    () -> new Demo(ports).start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().endsWith("(ports " + ports.web1() + ", " + ports.web2() + " and " + ports.smtp()
                    + " must be free)"), e.getMessage());
        }
    }

    @Test
    void suggestionsUseOnlyTheInstalledClients() throws Exception {
        Demo.Ports ports = new Demo.Ports(freePort(), freePort(), freePort());
        try (DemoBackends backends = new Demo(ports).start(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8))) {
            List<String> web = backends.suggestions("http", "127.0.0.1:8080");
            List<String> mail = backends.suggestions("smtp", "127.0.0.1:2525");
            List<String> other = backends.suggestions("pop3", "127.0.0.1:1110");

            assertTrue(web.getFirst().startsWith("curl http://127.0.0.1:8080/"), web.toString());
            assertTrue(mail.getFirst().startsWith("swaks --server 127.0.0.1:2525 "), mail.toString());
            assertEquals(List.of("socat - TCP:127.0.0.1:1110         # type lines; pop3 checks them"), other);
            for (String line : Stream.of(web, mail, other).flatMap(List::stream).toList()) {
                assertFalse(line.contains(" nc "), "nc is not among the installed clients: " + line);
            }
        }
    }

    @Test
    void theBundledConfigurationIsTheDocumentedDemo() {
        String bundled = new Demo().configuration();
        assertTrue(bundled.contains("listenPort: 8080") && bundled.contains("protocol: http")
                && bundled.contains("[127.0.0.1:9001, 127.0.0.1:9002]") && bundled.contains("listenPort: 2525")
                && bundled.contains("protocol: smtp") && bundled.contains("127.0.0.1:2526"), bundled);
        assertTrue(bundled.contains("admin:") && bundled.contains("listenPort: 8404"), bundled);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String get(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("GET /hello HTTP/1.0\r\nHost: demo\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The reply to the end of the message. */
    private static String sendMail(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
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
