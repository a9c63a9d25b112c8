package org.protowrap.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.protowrap.testkit.Eventually;

/**
 * A real nginx serving static files, started from {@code http/nginx.conf} with everything it writes
 * (pid, temporary files, logs) in the test's folder. Its access log names each request's connection,
 * so that a test can tell which requests arrived on one connection and that a refused one never came.
 */
final class HttpNginx implements AutoCloseable {

    /** The page at {@code /large.txt}: large enough for several reads, and compressible. */
    static final String LARGE = "a line of a large page\n".repeat(20_000);

    /** The page at {@code /index.html}. */
    static final String INDEX = "<!doctype html><title>ProtoWrap</title><p>served by nginx through the wrapper</p>\n";

    private static final Pattern ACCESS_LINE = Pattern.compile("(\\d+) (\\d+) \"(.*)\" (\\d{3})");

    private final Path dir;
    private final int port;
    private final ExternalProcess process;

    private HttpNginx(Path dir, int port, ExternalProcess process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static HttpNginx start(Path dir) throws IOException, InterruptedException {
        return start(dir, "", "");
    }

    /** An nginx that closes a connection idle for {@code keepAliveTimeout} (nginx's syntax: {@code 300ms}). */
    static HttpNginx startClosingIdleAfter(Path dir, String keepAliveTimeout) throws IOException, InterruptedException {
        return start(dir, "", "keepalive_timeout " + keepAliveTimeout + ";");
    }

    /** An nginx that speaks only TLS, with {@code server}'s certificate (TLS 1.2 and 1.3, nginx's defaults). */
    static HttpNginx startTls(Path dir, TlsCertificates.Issued server) throws IOException, InterruptedException {
        return start(dir, " ssl;\n        ssl_certificate " + server.certificate() + ";\n        ssl_certificate_key "
                + server.key(), "");
    }

    private static HttpNginx start(Path dir, String listenOptions, String httpDirectives)
            throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("www"));
        Files.writeString(root.resolve("index.html"), INDEX);
        Files.writeString(root.resolve("large.txt"), LARGE);
        int port = Ports.free();
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, template().replace("@DIR@", dir.toString()).replace("@PORT@", String.valueOf(port))
                .replace("@TLS@", listenOptions).replace("@HTTP@", httpDirectives));
        // -e: the error log from the first moment, before the configuration names one.
        List<String> command = List.of(Tools.require("nginx"), "-p", dir.toString(), "-c", config.toString(),
                "-e", dir.resolve("error.log").toString());
        ExternalProcess process = ExternalProcess.start("nginx", dir, command);
        return new HttpNginx(dir, port, process.awaitPort(port));
    }

    private static String template() throws IOException {
        try (InputStream in = HttpNginx.class.getResourceAsStream("/http/nginx.conf")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    int port() {
        return port;
    }

    /** The folder nginx serves files from. */
    Path root() {
        return dir.resolve("www");
    }

    /** One line of the access log. */
    record Request(long connection, int number, String requestLine, int status) {}

    /**
     * Whether {@code requests} came one after the other on one connection, nothing between them
     * (backend connections are reused: the first need not be the connection's first request).
     */
    static boolean consecutiveOnOneConnection(List<Request> requests) {
        for (int i = 1; i < requests.size(); i++) {
            if (requests.get(i).connection() != requests.getFirst().connection()
                    || requests.get(i).number() != requests.getFirst().number() + i) {
                return false;
            }
        }
        return true;
    }

    List<Request> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().map(HttpNginx::parse).toList();
    }

    /**
     * The requests whose request line contains {@code marker}, once there are {@code count} of them
     * (nginx logs a request after answering it), or those there are after a few seconds.
     */
    List<Request> awaitRequests(String marker, int count) throws IOException, InterruptedException {
        return Eventually.poll(Duration.ofSeconds(10),
                () -> accessLog().stream().filter(r -> r.requestLine().contains(marker)).toList(),
                matching -> matching.size() >= count);
    }

    private static Request parse(String line) {
        Matcher m = ACCESS_LINE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("unexpected nginx access log line: " + line);
        }
        return new Request(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), m.group(3),
                Integer.parseInt(m.group(4)));
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
