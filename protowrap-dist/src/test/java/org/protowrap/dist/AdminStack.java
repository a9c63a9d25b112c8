package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.protowrap.testkit.Eventually;

/**
 * The image with its admin endpoint (defaults but for the port, and a token file), in front of
 * two real nginx: wrapper {@code web} ({@code http}, round-robin) over backends {@code a} and
 * {@code b}. Requests go through curl. Closing it stops them all.
 */
record AdminStack(ExternalProcess protowrap, HttpNginx a, HttpNginx b, int webPort, int adminPort, String token)
        implements AutoCloseable {

    /** A request the http validator refuses ({@code http.te.unknown}): a rule report, every time. */
    static final String[] REFUSED = {"-H", "Transfer-Encoding: xchunked", "--data", "x"};

    static AdminStack start(Path dir) throws IOException, InterruptedException {
        HttpNginx a = HttpNginx.start(Files.createDirectories(dir.resolve("nginx-a")));
        HttpNginx b = HttpNginx.start(Files.createDirectories(dir.resolve("nginx-b")));
        int web = Ports.free();
        int admin = Ports.free();
        String token = "t0ken-" + Long.toHexString(System.nanoTime());
        Path tokenFile = dir.resolve("admin.token");
        Files.writeString(tokenFile, token + "\n");
        ExternalProcess protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d,
                     destAddr: [127.0.0.1:%d, 127.0.0.1:%d]}
                admin: {listenPort: %d, tokenFile: %s}
                """.formatted(web, a.port(), b.port(), admin, tokenFile), web, admin);
        return new AdminStack(protowrap, a, b, web, admin, token);
    }

    /** {@code host:port} of a backend, as the admin endpoint names it. */
    static String name(HttpNginx backend) {
        return "127.0.0.1:" + backend.port();
    }

    String adminUrl(String path) {
        return "http://127.0.0.1:" + adminPort + path;
    }

    /** GET of {@code path} through the wrapper, on a connection of its own; returns the HTTP status. */
    int get(String path) throws IOException, InterruptedException {
        return status(HttpCurl.run("-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + webPort + path));
    }

    /** A request the wrapper refuses; returns the HTTP status. */
    int sendRefused() throws IOException, InterruptedException {
        String[] args = {"-s", "-o", "/dev/null", "-w", "%{http_code}", REFUSED[0], REFUSED[1], REFUSED[2], REFUSED[3],
                "http://127.0.0.1:" + webPort + "/"};
        return status(HttpCurl.run(args));
    }

    /** The body of a GET on the admin endpoint. */
    String admin(String path) throws IOException, InterruptedException {
        HttpCurl.Result r = HttpCurl.run("-sS", "--fail", adminUrl(path));
        assertEquals(0, r.exit(), path + ": " + r.err());
        return r.out();
    }

    /** POST on the admin endpoint, with the token or without; returns the HTTP status. */
    int post(String path, boolean withToken) throws IOException, InterruptedException {
        return status(withToken
                ? HttpCurl.run("-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                        "-H", "Authorization: Bearer " + token, adminUrl(path))
                : HttpCurl.run("-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", adminUrl(path)));
    }

    /** {@code /status}, parsed. */
    JsonNode status() throws IOException, InterruptedException {
        return new ObjectMapper().readTree(admin("/status"));
    }

    /** The backend's entry in {@code /status}. */
    JsonNode backend(HttpNginx backend) throws IOException, InterruptedException {
        for (JsonNode b : status().path("wrappers").path(0).path("backends")) {
            if (b.path("name").asText().equals(name(backend))) {
                return b;
            }
        }
        throw new AssertionError("no backend " + name(backend) + " in /status:\n" + status().toPrettyString());
    }

    /** Waits up to 20 seconds until the backend's {@code /status} entry satisfies {@code condition}. */
    JsonNode awaitBackend(HttpNginx backend, Predicate<JsonNode> condition) throws IOException, InterruptedException {
        return Eventually.poll(Duration.ofSeconds(20), () -> backend(backend), condition);
    }

    private static int status(HttpCurl.Result r) {
        return Integer.parseInt(r.out().strip());
    }

    @Override
    public void close() throws InterruptedException {
        try (ExternalProcess p = protowrap; HttpNginx x = a; HttpNginx y = b) {
            // each stopped in turn, even if one fails to stop
        }
    }
}
