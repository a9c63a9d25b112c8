package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.cli.Main;

/** The admin endpoint of a running process: what it shows, and what an operator can change with the token. */
@Timeout(60)
class AdminEndToEndTest {

    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;

    record Reply(int status, String body, Map<String, List<String>> headers) {}

    @Test
    void showsLivenessReadinessStatusAndMetrics() throws Exception {
        try (TestBackend a = TestBackend.named("a");
                TestBackend b = TestBackend.named("b");
                Admin admin = start(a, b)) {
            assertEquals(200, admin.get("/live").status());
            RelayEndToEndTest.awaitTrue(() -> admin.getQuietly("/ready").status() == 200);
            try (Socket client = Traffic.connect(admin.server.address("w"))) {
                Traffic.write(client, "hi\n");
                TestBackend.reader(client).readLine();
            }
            Reply status = admin.get("/status");
            assertTrue(status.body().contains("\"name\" : \"w\"") && status.body().contains("\"state\" : \"up\""),
                    status.body());
            assertTrue(status.body().contains("\"name\" : \"" + a.address() + "\""), status.body());
            RelayEndToEndTest.awaitTrue(() -> admin.getQuietly("/metrics").body()
                    .contains("protowrap_connections_accepted_total{wrapper=\"w\"} 1"));
            Reply metrics = admin.get("/metrics");
            assertTrue(metrics.headers().get("Content-type").getFirst().startsWith("text/plain; version=0.0.4"),
                    metrics.headers().toString());
            assertTrue(metrics.body().contains("protowrap_backend_up{wrapper=\"w\",backend=\"" + b.address() + "\"} 1"),
                    metrics.body());
            Reply open = admin.request("GET", "/metrics", Map.of("Accept", "application/openmetrics-text"), "");
            assertTrue(open.body().endsWith("# EOF\n") && open.body().contains("# TYPE protowrap_connections_accepted counter"),
                    open.body());
            assertTrue(admin.get("/").body().contains("<title>ProtoWrap status</title>"));
        }
    }

    @Test
    void controlNeedsTheToken() throws Exception {
        try (TestBackend a = TestBackend.named("a"); TestBackend b = TestBackend.named("b"); Admin admin = start(a, b)) {
            String drainA = "/wrappers/w/backends/" + a.address() + "/drain";
            assertEquals(401, admin.request("POST", drainA, Map.of(), "").status());
            assertEquals(401, admin.request("POST", drainA, Map.of("Authorization", "Bearer wrong"), "").status());
            assertTrue(admin.get("/status").body().contains("\"admin\" : \"enabled\""));
        }
    }

    @Test
    void aDrainedBackendGetsNoNewConnectionsWhileAnOpenOneFinishes() throws Exception {
        try (TestBackend a = TestBackend.named("a"); TestBackend b = TestBackend.named("b"); Admin admin = start(a, b)) {
            Socket onA = firstConnectionTo("a", admin);
            assertEquals(200, admin.post("/wrappers/w/backends/" + a.address() + "/drain", "").status());
            assertTrue(admin.get("/status").body().contains("\"state\" : \"drain\""));
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                answered.add(whoAnswers(admin));
            }
            assertEquals(Set.of("b"), answered);
            assertEquals("a: still here", exchange(onA, "still here"));
            onA.close();
            assertEquals(200, admin.post("/wrappers/w/backends/" + a.address() + "/enable", "").status());
            for (int i = 0; i < 6; i++) {
                answered.add(whoAnswers(admin));
            }
            assertEquals(Set.of("a", "b"), answered);
        }
    }

    @Test
    void aStoppedWrapperRefusesConnectionsUntilStartedAgain() throws Exception {
        try (TestBackend a = TestBackend.named("a"); TestBackend b = TestBackend.named("b"); Admin admin = start(a, b)) {
            int port = admin.server.address("w").getPort();
            assertEquals(200, admin.post("/wrappers/w/stop", "").status());
            assertTrue(admin.get("/status").body().contains("\"state\" : \"stopped\""));
            assertTrue(refused(port), "the stopped wrapper accepted a connection");
            assertEquals(409, admin.post("/wrappers/w/stop", "").status());
            assertEquals(200, admin.post("/wrappers/w/start", "").status());
            try (Socket client = Traffic.connect(admin.server.address("w"))) {
                assertTrue(exchange(client, "back").endsWith(": back"));
            }
            assertEquals(404, admin.post("/wrappers/nosuch/stop", "").status());
        }
    }

    @Test
    void aWeightSetByTheOperatorIsShownAndCanBeUndone() throws Exception {
        try (TestBackend a = TestBackend.named("a"); TestBackend b = TestBackend.named("b"); Admin admin = start(a, b)) {
            String weight = "/wrappers/w/backends/" + a.address() + "/weight";
            assertEquals(200, admin.post(weight + "?value=5", "").status());
            assertTrue(admin.get("/status").body().contains("\"weight\" : 5"), admin.get("/status").body());
            assertEquals(400, admin.post(weight, "heavy").status());
            assertEquals(200, admin.post(weight, "0").status());
            assertTrue(admin.get("/status").body().contains("\"weight\" : 1"));
        }
    }

    @Test
    void statusCommandPrintsWrappersAndBackendsWithTheirState() throws Exception {
        try (TestBackend a = TestBackend.named("a"); TestBackend b = TestBackend.named("b"); Admin admin = start(a, b)) {
            assertEquals(200, admin.post("/wrappers/w/backends/" + a.address() + "/drain", "").status());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(List.of("status", "--config", admin.file().toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String table = out.toString(StandardCharsets.UTF_8);
            assertEquals(Main.OK, exit, err.toString(StandardCharsets.UTF_8));
            assertTrue(table.contains("wrapper w (line on 127.0.0.1:"), table);
            assertTrue(table.lines().findFirst().orElseThrow()
                    .matches("protowrap \\S+, up since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z, .*"),
                    table);
            assertFalse(Pattern.compile(":\\d\\d\\.\\d{4,}").matcher(table).find(),
                    "timestamps to the millisecond: " + table);
            List<String> rows = table.lines().filter(l -> l.trim().startsWith(a.address() + " ")
                    || l.trim().startsWith(b.address() + " ")).toList();
            assertEquals(2, rows.size(), table);
            assertTrue(rows.stream().anyMatch(r -> r.trim().startsWith(a.address() + " ") && r.contains(" drain ")), table);
            assertTrue(rows.stream().anyMatch(r -> r.trim().startsWith(b.address() + " ") && r.contains(" up ")), table);

            ByteArrayOutputStream json = new ByteArrayOutputStream();
            assertEquals(Main.OK, Main.run(List.of("status", "--config", admin.file().toString(), "--format", "json"),
                    new PrintStream(json, true, StandardCharsets.UTF_8), System.err));
            assertTrue(json.toString(StandardCharsets.UTF_8).contains("\"state\" : \"drain\""));
        }
    }

    @Test
    void statusCommandSaysWhenNoEndpointIsConfiguredOrNoneAnswers() throws Exception {
        Path none = TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), "[127.0.0.1:9]", ""));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(Main.USAGE, Main.run(List.of("status", "--config", none.toString()), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no admin endpoint configured"), err.toString());

        Path silent = TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), "[127.0.0.1:9]", "")
                + "admin: {listenPort: %d}\n".formatted(TestConfig.freePort()));
        err.reset();
        assertEquals(Main.FAILURE, Main.run(List.of("status", "--config", silent.toString()), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is protowrap running"), err.toString());
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static Socket firstConnectionTo(String name, Admin admin) throws Exception {
        for (int i = 0; i < 10; i++) {
            Socket socket = Traffic.connect(admin.server.address("w"));
            if (exchange(socket, "who").startsWith(name + ":")) {
                return socket;
            }
            socket.close();
        }
        throw new AssertionError("no connection reached " + name);
    }

    private static String whoAnswers(Admin admin) throws Exception {
        try (Socket socket = Traffic.connect(admin.server.address("w"))) {
            return exchange(socket, "who").split(":")[0];
        }
    }

    private static String exchange(Socket client, String line) throws IOException {
        Traffic.write(client, line + "\n");
        return TestBackend.reader(client).readLine();
    }

    private Admin start(TestBackend a, TestBackend b) throws Exception {
        int adminPort = TestConfig.freePort();
        Path token = dir.resolve("admin.token");
        Files.writeString(token, TOKEN + "\n");
        Path file = TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(),
                "[" + a.address() + ", " + b.address() + "]", "")
                + "admin: {listenPort: %d, tokenFile: admin.token}\n".formatted(adminPort));
        return new Admin(RunningServer.start(file), adminPort, file);
    }

    /** The running process and its admin endpoint. */
    private record Admin(RunningServer server, int port, Path file) implements AutoCloseable {

        Reply get(String path) throws IOException {
            return request("GET", path, Map.of(), "");
        }

        Reply getQuietly(String path) {
            try {
                return get(path);
            } catch (IOException e) {
                return new Reply(0, "", Map.of());
            }
        }

        Reply post(String path, String body) throws IOException {
            return request("POST", path, Map.of("Authorization", "Bearer " + TOKEN), body);
        }

        Reply request(String method, String path, Map<String, String> headers, String body) throws IOException {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                    .openConnection();
            c.setRequestMethod(method);
            headers.forEach(c::setRequestProperty);
            if (method.equals("POST")) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return new Reply(status, text, c.getHeaderFields());
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
