package org.protowrap.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import org.protowrap.engine.demo.DemoBackends;

/**
 * The demo's backends on loopback: two HTTP servers that say which one answered, and an
 * {@link SmtpSink}; and what to try against wrappers in front of them, with the clients the
 * README's package list installs (curl, swaks, socat). Not for anything but the demo.
 */
final class LoopbackBackends implements DemoBackends {

    private final HttpServer web1;
    private final HttpServer web2;
    private final SmtpSink smtp;

    private LoopbackBackends(HttpServer web1, HttpServer web2, SmtpSink smtp) {
        this.web1 = web1;
        this.web2 = web2;
        this.smtp = smtp;
    }

    static LoopbackBackends start(Demo.Ports ports, PrintStream out) throws IOException {
        HttpServer web1 = web("web-1", ports.web1());
        HttpServer web2;
        try {
            web2 = web("web-2", ports.web2());
        } catch (IOException e) {
            web1.stop(0);
            throw e;
        }
        try {
            ServerSocket socket = new ServerSocket(ports.smtp(), 50, InetAddress.getLoopbackAddress());
            return new LoopbackBackends(web1, web2, SmtpSink.start(socket, out));
        } catch (IOException e) {
            web1.stop(0);
            web2.stop(0);
            throw e;
        }
    }

    private static HttpServer web(String name, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/", exchange -> answer(exchange, name));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, String name) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.transferTo(java.io.OutputStream.nullOutputStream());
        }
        byte[] reply = ("Hello from " + name + " (demo backend on port "
                + exchange.getLocalAddress().getPort() + "): " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, reply.length);
        try (var body = exchange.getResponseBody()) {
            body.write(reply);
        }
    }

    private int web1Port() {
        return web1.getAddress().getPort();
    }

    private int web2Port() {
        return web2.getAddress().getPort();
    }

    private int smtpPort() {
        return smtp.port();
    }

    @Override
    public String description() {
        return "web-1 on 127.0.0.1:" + web1Port() + ", web-2 on 127.0.0.1:" + web2Port()
                + ", SMTP sink on 127.0.0.1:" + smtpPort();
    }

    @Override
    public List<String> suggestions(String protocol, String address) {
        return switch (protocol) {
            case "http" -> List.of(
                    "curl http://" + address + "/         # twice: web-1 answers, then web-2",
                    "curl -H 'Transfer-Encoding: xchunked' --data x http://" + address + "/"
                            + "         # refused by the wrapper, never reaches a backend");
            case "smtp" -> List.of(
                    "swaks --server " + address + " --from alice@example.org --to bob@example.org"
                            + "         # the sink prints one line: sender, recipients, size",
                    "(sleep 1; printf 'EHLO demo\\r\\n'; sleep 1; printf 'MAIL FROM: <alice@example.org>\\r\\n';"
                            + " sleep 1; printf 'QUIT\\r\\n') | socat -t 2 - TCP:" + address
                            + "         # a space after the colon: refused",
                    "printf 'EHLO demo\\r\\n' | socat -t 2 - TCP:" + address
                            + "         # talking before the greeting: refused");
            default -> List.of("socat - TCP:" + address + "         # type lines; " + protocol + " checks them");
        };
    }

    @Override
    public void close() {
        web1.stop(0);
        web2.stop(0);
        smtp.close();
    }

}
