package org.protowrap.engine.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.protowrap.engine.config.AdminConfig;
import org.protowrap.engine.relay.AddressText;
import org.protowrap.engine.relay.LiveBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint: {@code GET /} (the status page), {@code /status} (JSON),
 * {@code /metrics} (Prometheus text, or OpenMetrics when asked for), {@code /live},
 * {@code /ready}; and, with the bearer token, {@code POST /wrappers/NAME/stop|start} and
 * {@code POST /wrappers/NAME/backends/HOST:PORT/drain|enable|disable|weight}.
 *
 * <p>It is the JDK's own small HTTP server ({@code jdk.httpserver}, a named module of the JDK)
 * on two threads of its own: client traffic on the event loops cannot starve it, and a slow
 * admin client holds one of its threads, never a loop. Bound when the wrappers are, before
 * privileges are dropped.
 */
public final class AdminServer {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int THREADS = 2;
    private static final int MAX_BODY = 1024;

    private final HttpServer http;
    private final ExecutorService threads;
    private final Operations operations;
    private final Optional<Path> tokenFile;

    private AdminServer(HttpServer http, ExecutorService threads, Operations operations, Optional<Path> tokenFile) {
        this.http = http;
        this.threads = threads;
        this.operations = operations;
        this.tokenFile = tokenFile;
    }

    /** Binds the endpoint's address; it answers once {@link #start} is called. */
    public static AdminServer bind(AdminConfig config, Operations operations) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.ofLiteral(config.listenAddr()),
                config.listenPort());
        HttpServer http;
        try {
            http = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new IOException("admin: cannot listen on " + AddressText.of(address) + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(THREADS,
                Thread.ofPlatform().name("protowrap-admin-", 0).daemon().factory());
        AdminServer server = new AdminServer(http, threads, operations, config.tokenFile());
        http.setExecutor(threads);
        http.createContext("/", server::handle);
        return server;
    }

    public void start() {
        http.start();
        log.info("admin endpoint on http://{}/ (status page, /status, /metrics, /live, /ready){}",
                AddressText.of(http.getAddress()), tokenFile.isPresent() ? "" : "; no tokenFile: control requests are refused");
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public void stop() {
        http.stop(0);
        threads.shutdown();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = route(exchange);
            } catch (RuntimeException e) {
                log.error("admin: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = Response.text(500, "internal error: " + e.getMessage() + "\n");
            }
            send(exchange, response);
        }
    }

    private Response route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (method.equals("GET") || method.equals("HEAD")) {
            return switch (path) {
                case "/" -> Response.of(200, "text/html; charset=utf-8", StatusPage.html());
                case "/status" -> Response.of(200, "application/json", StatusJson.write(operations.status()));
                case "/metrics" -> metrics(exchange);
                case "/live" -> Response.text(200, "live\n");
                case "/ready" -> operations.status().ready() ? Response.text(200, "ready\n")
                        : Response.text(503, "not ready\n");
                default -> Response.text(404, "no such page: " + path + "\n");
            };
        }
        if (method.equals("POST")) {
            return control(exchange, path);
        }
        return Response.text(405, "GET or POST only\n").with("Allow", "GET, HEAD, POST");
    }

    private Response metrics(HttpExchange exchange) {
        String accept = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Accept")).orElse("");
        boolean openMetrics = accept.contains("application/openmetrics-text");
        String body = PrometheusText.write(operations.status(), openMetrics);
        return Response.of(200, openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8", body);
    }

    /** {@code /wrappers/NAME/(stop|start)} and {@code /wrappers/NAME/backends/HOST:PORT/(drain|enable|disable|weight)}. */
    private Response control(HttpExchange exchange, String path) throws IOException {
        Optional<Response> denied = authorize(exchange);
        if (denied.isPresent()) {
            return denied.get();
        }
        String who = AddressText.of(exchange.getRemoteAddress());
        String[] parts = path.split("/");
        try {
            if (parts.length == 4 && parts[1].equals("wrappers")) {
                return switch (parts[3]) {
                    case "stop" -> Response.text(200, operations.stopWrapper(parts[2], who) + "\n");
                    case "start" -> Response.text(200, operations.startWrapper(parts[2], who) + "\n");
                    default -> Response.text(404, "a wrapper can be stopped or started: /wrappers/NAME/stop|start\n");
                };
            }
            if (parts.length == 6 && parts[1].equals("wrappers") && parts[3].equals("backends")) {
                return backend(exchange, parts[2], parts[4], parts[5], who);
            }
        } catch (NoSuchElementException e) {
            return Response.text(404, e.getMessage() + "\n");
        } catch (IllegalStateException | IOException e) {
            return Response.text(409, e.getMessage() + "\n");
        }
        return Response.text(404, "no such control: " + path + "\n");
    }

    private Response backend(HttpExchange exchange, String wrapper, String backend, String action, String who)
            throws IOException {
        return switch (action) {
            case "drain" -> Response.text(200, operations.backendState(wrapper, backend, LiveBackend.AdminState.DRAIN,
                    who) + "\n");
            case "disable" -> Response.text(200, operations.backendState(wrapper, backend,
                    LiveBackend.AdminState.DISABLED, who) + "\n");
            case "enable" -> Response.text(200, operations.backendState(wrapper, backend,
                    LiveBackend.AdminState.ENABLED, who) + "\n");
            case "weight" -> weight(exchange, wrapper, backend, who);
            default -> Response.text(404, "a backend can be drained, disabled, enabled or weighted: "
                    + "/wrappers/NAME/backends/HOST:PORT/drain|disable|enable|weight\n");
        };
    }

    /** The weight from {@code ?value=N} or a body of {@code N}: 1 to 1000, or 0 for the configured one. */
    private Response weight(HttpExchange exchange, String wrapper, String backend, String who) throws IOException {
        String value = query(exchange.getRequestURI(), "value").orElse(body(exchange).strip());
        int weight;
        try {
            weight = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return Response.text(400, "the weight is a whole number from 1 to 1000 (0: the configured one), "
                    + "as ?value=N or the body\n");
        }
        if (weight < 0 || weight > 1000) {
            return Response.text(400, "the weight must be from 1 to 1000 (0: the configured one)\n");
        }
        return Response.text(200, operations.backendWeight(wrapper, backend, weight, who) + "\n");
    }

    private static Optional<String> query(URI uri, String key) {
        String query = uri.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(key + "=")) {
                return Optional.of(pair.substring(key.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
        }
    }

    /** Every POST needs {@code Authorization: Bearer TOKEN} with the token file's content. */
    private Optional<Response> authorize(HttpExchange exchange) throws IOException {
        if (tokenFile.isEmpty()) {
            return Optional.of(Response.text(403, "control requests need admin.tokenFile in the configuration\n"));
        }
        String token = Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip();
        String given = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
        boolean ok = !token.isEmpty() && given.regionMatches(true, 0, "Bearer ", 0, 7) && MessageDigest.isEqual(
                given.substring(7).strip().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            log.warn("admin: {} {} refused: {} from {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    given.isEmpty() ? "no token" : "a wrong token", AddressText.of(exchange.getRemoteAddress()));
            return Optional.of(Response.text(401, "a bearer token is required: Authorization: Bearer TOKEN\n")
                    .with("WWW-Authenticate", "Bearer realm=\"protowrap\""));
        }
        return Optional.empty();
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(h -> exchange.getResponseHeaders().set(h.name(), h.value()));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** What a request is answered with. */
    private record Response(int status, String contentType, String body, List<Header> headers) {
        record Header(String name, String value) {}

        static Response of(int status, String contentType, String body) {
            return new Response(status, contentType, body, List.of());
        }

        static Response text(int status, String body) {
            return of(status, "text/plain; charset=utf-8", body);
        }

        Response with(String name, String value) {
            List<Header> more = new ArrayList<>(headers);
            more.add(new Header(name, value));
            return new Response(status, contentType, body, List.copyOf(more));
        }
    }
}
