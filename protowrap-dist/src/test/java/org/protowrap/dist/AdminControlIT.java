package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Control requests to the image's admin endpoint, with curl, in front of two real nginx. */
@Timeout(60)
class AdminControlIT {

    @Test
    void drainingABackendSendsNewConnectionsElsewhereWhileAnOpenOneFinishes(@TempDir Path dir) throws Exception {
        try (AdminStack stack = AdminStack.start(dir)) {
            try (Socket open = new Socket(InetAddress.getLoopbackAddress(), stack.webPort())) {
                open.setSoTimeout(10_000);
                assertTrue(exchange(open, "/index.html?open-1").startsWith("HTTP/1.1 200"));
                HttpNginx drained = stack.a().awaitRequests("open-1", 1).isEmpty() ? stack.b() : stack.a();
                HttpNginx other = drained == stack.a() ? stack.b() : stack.a();
                String path = "/wrappers/web/backends/" + AdminStack.name(drained) + "/drain";

                assertEquals(401, stack.post(path, false));
                assertEquals("up", stack.backend(drained).path("state").asText());
                assertEquals(200, stack.post(path, true));
                JsonNode b = stack.backend(drained);
                assertEquals("drain", b.path("state").asText(), b.toPrettyString());
                assertEquals(1, b.path("activeConnections").asInt(), b.toPrettyString());

                for (int i = 0; i < 6; i++) {
                    assertEquals(200, stack.get("/index.html?after-drain-" + i));
                }
                assertEquals(6, other.awaitRequests("after-drain", 6).size());
                assertEquals(List.of(), drained.accessLog().stream()
                        .filter(r -> r.requestLine().contains("after-drain")).toList());

                // the open connection goes on with its backend, on the same backend connection
                assertTrue(exchange(open, "/index.html?open-2").startsWith("HTTP/1.1 200"));
                List<HttpNginx.Request> both = drained.awaitRequests("open-", 2);
                assertEquals(2, both.size(), both.toString());
                assertEquals(both.get(0).connection(), both.get(1).connection(), both.toString());

                open.close();
                JsonNode after = stack.awaitBackend(drained, x -> x.path("activeConnections").asInt() == 0);
                assertEquals(0, after.path("activeConnections").asInt(), after.toPrettyString());
                assertEquals("drain", after.path("state").asText(), after.toPrettyString());
            }
        }
    }

    @Test
    void stoppingAWrapperClosesItsPortUntilItIsStartedAgain(@TempDir Path dir) throws Exception {
        try (AdminStack stack = AdminStack.start(dir)) {
            assertEquals(401, stack.post("/wrappers/web/stop", false));
            assertEquals(200, stack.get("/index.html?before-stop"));
            assertEquals(200, stack.post("/wrappers/web/stop", true));
            assertEquals("stopped", stack.status().path("wrappers").path(0).path("state").asText());
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), stack.webPort()));

            assertEquals(200, stack.post("/wrappers/web/start", true));
            assertEquals("listening", stack.status().path("wrappers").path(0).path("state").asText());
            assertEquals(200, stack.get("/index.html?after-start"));
        }
    }

    /** Sends a GET for {@code path} on an open connection and reads its response (nginx's index page). */
    private static String exchange(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!received.toString(StandardCharsets.ISO_8859_1).endsWith(HttpNginx.INDEX)) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("closed after " + received.toString(StandardCharsets.ISO_8859_1));
            }
            received.write(buffer, 0, n);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }
}
