package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.health.HealthState;

/**
 * Dispatching with protocol validators: the SMTP banner comes only from the backend finally
 * chosen, protocol-aware health checks lead to the protocol's own refusal, and mail sent while
 * a real SMTP server (Postfix's smtp-sink) is stopped is delivered exactly once.
 */
@Timeout(120)
class ProtocolDispatchTest {

    @TempDir
    Path dir;

    private static String wrapper(String protocol, int port, String destAddr, String extra) {
        return """
                allowRoot: true
                shutdownGrace: 5s
                wrappers:
                  - name: w
                    protocol: %s
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: %s
                """.formatted(protocol, port, destAddr) + extra.indent(4);
    }

    private RunningServer serve(String yaml) throws Exception {
        return RunningServer.start(TestConfig.write(dir, yaml));
    }

    /** A tiny SMTP server: greets with its name, answers QUIT with 221 and anything else with 250. */
    private static TestBackend smtpServer(String name) throws IOException {
        return TestBackend.start(socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(("220 " + name + " ESMTP\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = TestBackend.reader(socket);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                boolean quit = line.equalsIgnoreCase("QUIT");
                out.write((quit ? "221 bye\r\n" : "250 " + name + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (quit) {
                    return;
                }
            }
        });
    }

    @Test
    void theBannerComesOnlyFromTheBackendFinallyChosen() throws Exception {
        int refusing = TestConfig.freePort();
        try (TestBackend mute = TestBackend.start(Socket::close);
                TestBackend two = smtpServer("two");
                RunningServer server = serve(wrapper("smtp", TestConfig.freePort(),
                        "[" + mute.address() + ", 127.0.0.1:" + refusing + ", " + two.address() + "]", ""))) {
            for (int i = 0; i < 6; i++) {
                try (SmtpClient client = SmtpClient.connect(server.address("w"))) {
                    assertEquals("220 two ESMTP", client.reply());
                    assertEquals("221 bye", client.command("QUIT"));
                }
            }
            assertTrue(mute.accepted() >= 1, "the mute backend was tried first");
        }
    }

    @Test
    void anHttpClientReachesABackendOnlyWithItsFirstCompleteRequestHead() throws Exception {
        try (TestBackend web = TestBackend.start(socket -> {
                    BufferedReader in = TestBackend.reader(socket);
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // the request head, up to its empty line
                    }
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                });
                RunningServer server = serve(wrapper("http", TestConfig.freePort(), "[" + web.address() + "]", ""));
                Socket slow = Traffic.connect(server.address("w"))) {
            Traffic.write(slow, "GET / HTTP/1.1\r\nHost: example.org\r\n");
            try (Socket quick = Traffic.connect(server.address("w"))) {
                Traffic.write(quick, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
                assertTrue(Traffic.readToEnd(quick).startsWith("HTTP/1.1 200 OK"));
            }
            assertEquals(1, web.accepted(), "a half-sent request head opens no backend connection");
            Traffic.write(slow, "\r\n");
            assertTrue(Traffic.readToEnd(slow).startsWith("HTTP/1.1 200 OK"));
            assertEquals(2, web.accepted());
        }
    }

    @Test
    void backendsThatFailTheSmtpProbeAreDownAndClientsGetTheProtocolsRefusal() throws Exception {
        try (LogCapture log = new LogCapture();
                TestBackend notSmtp = TestBackend.start(socket -> {
                    socket.getOutputStream().write("hello, I speak something else\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                });
                TestBackend silent = TestBackend.start(socket -> socket.getInputStream().transferTo(OutputStream.nullOutputStream()));
                RunningServer server = serve(wrapper("smtp", TestConfig.freePort(),
                        "[" + notSmtp.address() + ", " + silent.address() + "]",
                        "healthCheck: {interval: 100ms, timeout: 300ms, rise: 1, fall: 1}\n"))) {
            for (TestBackend b : List.of(notSmtp, silent)) {
                RelayEndToEndTest.awaitTrue(() -> server.server().backendHealth("w", b.address())
                        .equals(Optional.of(HealthState.DOWN)));
            }
            try (SmtpClient client = SmtpClient.connect(server.address("w"))) {
                assertEquals("421 4.3.2 Service not available, closing transmission channel", client.reply());
                assertEquals("", client.reply());
            }
            List<String> messages = log.messages();
            assertTrue(messages.stream().anyMatch(m -> m.matches("wrapper=w backend=" + notSmtp.address()
                    + " health UP -> DOWN: 1 consecutive failure\\(s\\), last: check failed: not an SMTP server.*")),
                    () -> String.join("\n", messages));
            assertTrue(messages.stream().anyMatch(m -> m.matches("wrapper=w backend=" + silent.address()
                    + " health UP -> DOWN: .*no verdict within 300ms")), () -> String.join("\n", messages));
            assertTrue(messages.stream().anyMatch(m -> m.contains(
                    "no backend after 0 attempt(s): 2 backend(s): 2 down")), () -> String.join("\n", messages));
        }
    }

    @Test
    void aBackendWhoseRepliesAreNotSmtpIsTakenDownByThem() throws Exception {
        try (LogCapture log = new LogCapture();
                TestBackend garbling = TestBackend.start(socket -> {
                    OutputStream out = socket.getOutputStream();
                    out.write("220 garbling ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    TestBackend.reader(socket).readLine();
                    out.write("what?\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                });
                TestBackend good = smtpServer("good");
                RunningServer server = serve(wrapper("smtp", TestConfig.freePort(),
                        "[" + garbling.address() + ", " + good.address() + "]", ""))) {
            for (int i = 0; i < 8; i++) {
                try (SmtpClient client = SmtpClient.connect(server.address("w"))) {
                    client.reply();
                    client.command("EHLO client.example");
                }
            }
            assertEquals(Optional.of(HealthState.DOWN), server.server().backendHealth("w", garbling.address()));
            assertEquals(3, garbling.accepted(), "three protocol errors take it down; then it is not chosen");
            assertTrue(log.messages().stream().anyMatch(m -> m.matches("wrapper=w backend=" + garbling.address()
                    + " health UP -> DOWN: 3 consecutive failure\\(s\\), last: protocol error: .*")),
                    () -> String.join("\n", log.messages()));
        }
    }

    @Test
    void backendsThatFailTheHttpProbeAreDownAndClientsGet503() throws Exception {
        HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        failing.start();
        try (LogCapture log = new LogCapture();
                RunningServer server = serve(wrapper("http", TestConfig.freePort(),
                        "[127.0.0.1:" + failing.getAddress().getPort() + "]",
                        "healthCheck: {interval: 100ms, timeout: 1s, rise: 1, fall: 1}\n"))) {
            String backend = "127.0.0.1:" + failing.getAddress().getPort();
            RelayEndToEndTest.awaitTrue(() -> server.server().backendHealth("w", backend)
                    .equals(Optional.of(HealthState.DOWN)));
            try (Socket client = Traffic.connect(server.address("w"))) {
                Traffic.write(client, "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
                assertTrue(Traffic.readToEnd(client).startsWith("HTTP/1.1 503 "));
            }
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("health UP -> DOWN: 1 consecutive failure(s), "
                    + "last: check failed: status 500 to GET / HTTP/1.1")), () -> String.join("\n", log.messages()));
        } finally {
            failing.stop(0);
        }
    }

    @Test
    void mailSentWhileAnSmtpServerStopsIsDeliveredExactlyOnce() throws Exception {
        int clients = 4;
        int messagesEach = 30;
        try (SmtpSinkProcess first = SmtpSinkProcess.start(dir.resolve("first"), TestConfig.freePort());
                SmtpSinkProcess second = SmtpSinkProcess.start(dir.resolve("second"), TestConfig.freePort());
                RunningServer server = serve(wrapper("smtp", TestConfig.freePort(),
                        "[" + first.address() + ", " + second.address() + "]",
                        "healthCheck: {interval: 100ms, timeout: 1s, rise: 2, fall: 2}\n"))) {
            List<String> acknowledged = new CopyOnWriteArrayList<>();
            List<String> unacknowledged = new CopyOnWriteArrayList<>();
            List<Thread> senders = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                senders.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < messagesEach; i++) {
                        String id = "msg-" + client + "-" + i + "." + System.nanoTime() + "@client.example";
                        boolean accepted = SmtpClient.send(server.address("w"), id, "message " + client + "/" + i);
                        (accepted ? acknowledged : unacknowledged).add(id);
                    }
                }));
            }
            RelayEndToEndTest.awaitTrue(() -> acknowledged.size() >= clients * messagesEach / 3);
            first.stop();
            for (Thread sender : senders) {
                sender.join();
            }

            List<String> delivered = new ArrayList<>(first.messages());
            delivered.addAll(second.messages());
            for (String id : acknowledged) {
                long copies = delivered.stream().filter(text -> text.contains("<" + id + ">")).count();
                assertEquals(1, copies, () -> id + " acknowledged, found " + copies + " time(s)");
            }
            // only a session in progress when the server stopped may fail: one per client at most
            assertTrue(unacknowledged.size() <= clients, () -> "unacknowledged: " + unacknowledged);
            assertEquals(clients * messagesEach, acknowledged.size() + unacknowledged.size());
            assertEquals(Optional.of(HealthState.DOWN), server.server().backendHealth("w", first.address()));
        }
    }
}
