package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend connections reused through the image, with its defaults ({@code serverKeepAlive: 1s}):
 * clients that send one request each share a few nginx connections instead of one each, get what
 * they would have got directly, and the close they asked for; a backend that closes idle
 * connections sooner than the wrapper would keep them costs no request.
 */
@Timeout(120)
class BackendReuseIT {

    private static final Pattern REUSES = Pattern.compile(
            "(?m)^protowrap_backend_connection_reuses_total\\{wrapper=\"web\",backend=\"[^\"]+\"} (\\d+)$");

    @TempDir
    Path dir;

    @Test
    void clientsOfOneRequestEachShareTheBackendsConnections() throws Exception {
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")))) {
            int web = Ports.free();
            int admin = Ports.free();
            try (ExternalProcess protowrap = wrapper(nginx, web, "admin: {listenAddr: 127.0.0.1, listenPort: " + admin + "}\n",
                    admin)) {
                for (int i = 0; i < 10; i++) {
                    // curl's own way: HTTP/1.1, and the connection closed after the one request
                    HttpCurl.Result plain = HttpCurl.run("-sS", "-D", "-", url(web, "/index.html?plain=" + i));
                    assertEquals(0, plain.exit(), plain.err());
                    assertTrue(plain.out().startsWith("HTTP/1.1 200 OK\r\n") && plain.out().endsWith(HttpNginx.INDEX),
                            plain.out());
                    HttpCurl.Result closing = HttpCurl.run("-sS", "-D", "-", "-H", "Connection: close",
                            url(web, "/index.html?close=" + i));
                    assertTrue(closing.out().startsWith("HTTP/1.1 200 OK\r\n") && closing.out().endsWith(HttpNginx.INDEX),
                            closing.out());
                    String head = closing.out().toLowerCase(Locale.ROOT);
                    assertTrue(head.contains("\r\nconnection: close\r\n"), closing.out());
                    assertFalse(head.contains("keep-alive"), "told to close, not also to keep alive: " + closing.out());
                }
                List<HttpNginx.Request> served = nginx.awaitRequests("/index.html?", 20);
                assertEquals(20, served.size(), served.toString());
                long connections = served.stream().mapToLong(HttpNginx.Request::connection).distinct().count();
                // one connection kept per I/O thread (two here) at a time, and slack for one that expired
                assertTrue(connections <= 4, "20 clients one after the other used " + connections + " backend connections");
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                Matcher reuses = REUSES.matcher(metrics.body());
                assertTrue(reuses.find(), metrics.body());
                assertEquals(20 - connections, Long.parseLong(reuses.group(1)), metrics.body());
                HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(Pattern.compile("\"reuses\"\\s*:\\s*" + (20 - connections) + "\\b").matcher(status.body()).find(),
                        status.body());
            }
        }
    }

    @Test
    void aBackendThatClosesIdleConnectionsFirstCostsNoRequest() throws Exception {
        try (HttpNginx nginx = HttpNginx.startClosingIdleAfter(Files.createDirectories(dir.resolve("nginx")), "200ms")) {
            int web = Ports.free();
            try (ExternalProcess protowrap = wrapper(nginx, web, "")) {
                for (int i = 0; i < 5; i++) {
                    HttpCurl.Result result = HttpCurl.run("-sS", "-w", "\n%{http_code}", url(web, "/index.html?round=" + i));
                    assertEquals(HttpNginx.INDEX + "\n200", result.out(), result.err());
                    Thread.sleep(600); // nginx closes the kept connection meanwhile
                }
                List<HttpNginx.Request> served = nginx.awaitRequests("/index.html?round=", 5);
                assertEquals(5, served.stream().mapToLong(HttpNginx.Request::connection).distinct().count(),
                        "each round on a new backend connection: " + served);
                assertFalse(protowrap.output().contains("502"), protowrap.output());
            }
        }
    }

    private ExternalProcess wrapper(HttpNginx nginx, int web, String topLevel, int... otherPorts)
            throws IOException, InterruptedException {
        int[] ports = new int[otherPorts.length + 1];
        ports[0] = web;
        System.arraycopy(otherPorts, 0, ports, 1, otherPorts.length);
        return ProtowrapImage.run(dir, """
                allowRoot: true
                %swrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                """.formatted(topLevel, web, nginx.port()), ports);
    }

    private static String url(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
