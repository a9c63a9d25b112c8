package org.protowrap.dist;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.testkit.Eventually;

/**
 * The client's address end to end through the image: curl from 127.0.0.2 and 127.0.0.3, HAProxy
 * in front sending PROXY v2 and v1 to ProtoWrap, which sends v2 on to nginx listening with
 * {@code proxy_protocol} and logging {@code $proxy_protocol_addr}. Health checks go through the
 * same listener with a LOCAL header. Defaults everywhere but the keys under test.
 */
@Timeout(120)
class EdgeProxyIT {

    @TempDir
    Path dir;

    @Test
    void haproxyToProtowrapToNginxKeepsTheClientsAddress() throws Exception {
        int nginxPort = Ports.free();
        int wrapperPort = Ports.free();
        int v2Port = Ports.free();
        int v1Port = Ports.free();
        try (ExternalProcess nginx = nginx(nginxPort);
                ExternalProcess protowrap = ProtowrapImage.run(dir, """
                        allowRoot: true
                        wrappers:
                          - name: web
                            protocol: http
                            listenAddr: 127.0.0.1
                            listenPort: %d
                            destAddr: 127.0.0.1:%d
                            proxyProtocol: {trusted: [127.0.0.1]}
                            sendProxy: v2
                            deny: [127.0.0.4]
                            healthCheck: {interval: 1s}
                        """.formatted(wrapperPort, nginxPort), wrapperPort);
                ExternalProcess haproxy = haproxy(wrapperPort, v2Port, v1Port)) {
            assertEquals("served\n", curl("127.0.0.2", v2Port, "/index.html?via=v2"));
            assertEquals("served\n", curl("127.0.0.3", v1Port, "/index.html?via=v1"));
            assertTrue(curl("127.0.0.4", v2Port, "/index.html?via=denied").isEmpty(), "the header's client is denied");
            assertEquals("", spoofed(wrapperPort), "a header from an untrusted peer");

            List<String> log = awaitLines(dir.resolve("access.log"), "via=v1", Duration.ofSeconds(10));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("proxy=127.0.0.2 ") && l.contains("via=v2")), String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("proxy=127.0.0.3 ") && l.contains("via=v1")), String.join("\n", log));
            assertFalse(log.stream().anyMatch(l -> l.contains("via=denied") || l.contains("spoofed")), String.join("\n", log));
            // the health checks (LOCAL header: no client) reach nginx and pass
            assertTrue(log.stream().anyMatch(l -> l.startsWith("proxy=- ") && l.endsWith(" 200")), String.join("\n", log));
            assertFalse(Files.readString(dir.resolve("error.log")).contains("broken header"),
                    Files.readString(dir.resolve("error.log")));
            // access lines are written in batches: the denied client's may come a moment after the others
            String wrapperLog = String.join("\n", awaitLines(dir.resolve("protowrap.log"), "outcome=forbidden",
                    Duration.ofSeconds(10)));
            assertTrue(wrapperLog.contains("client=127.0.0.2:"), wrapperLog);
            assertTrue(wrapperLog.contains("client=127.0.0.4:") && wrapperLog.contains("outcome=forbidden"), wrapperLog);
        }
    }

    private ExternalProcess nginx(int port) throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("www"));
        Files.writeString(root.resolve("index.html"), "served\n");
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, """
                daemon off;
                user root;
                worker_processes 1;
                pid @DIR@/nginx.pid;
                error_log @DIR@/error.log;
                events { worker_connections 64; }
                http {
                    client_body_temp_path @DIR@/client_body_temp;
                    proxy_temp_path @DIR@/proxy_temp;
                    fastcgi_temp_path @DIR@/fastcgi_temp;
                    uwsgi_temp_path @DIR@/uwsgi_temp;
                    scgi_temp_path @DIR@/scgi_temp;
                    log_format edge 'proxy=$proxy_protocol_addr remote=$remote_addr "$request" $status';
                    access_log @DIR@/access.log edge;
                    server {
                        listen 127.0.0.1:@PORT@ proxy_protocol;
                        root @DIR@/www;
                    }
                }
                """.replace("@DIR@", dir.toString()).replace("@PORT@", String.valueOf(port)));
        return ExternalProcess.start("nginx", dir, List.of(Tools.require("nginx"), "-p", dir.toString(), "-c",
                config.toString(), "-e", dir.resolve("error.log").toString())).awaitPort(port);
    }

    private ExternalProcess haproxy(int wrapperPort, int v2Port, int v1Port) throws IOException, InterruptedException {
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, """
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                listen v2
                    bind 127.0.0.1:%d
                    server protowrap 127.0.0.1:%d send-proxy-v2
                listen v1
                    bind 127.0.0.1:%d
                    server protowrap 127.0.0.1:%d send-proxy
                """.formatted(v2Port, wrapperPort, v1Port, wrapperPort));
        ExternalProcess process = ExternalProcess.start("haproxy", dir, List.of(Tools.require("haproxy"), "-db", "-f",
                config.toString()));
        return process.awaitPort(v2Port).awaitPort(v1Port);
    }

    /** curl from {@code from} through HAProxy; the body, or empty for a refusal. */
    private String curl(String from, int port, String path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Tools.require("curl"), "-s", "-f", "--max-time", "10", "--interface", from,
                "http://127.0.0.1:" + port + path).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** A header naming another client, sent straight to ProtoWrap from a peer it does not trust. */
    private static String spoofed(int wrapperPort) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", wrapperPort), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("PROXY TCP4 192.0.2.1 127.0.0.1 1 " + wrapperPort
                    + "\r\nGET /index.html?spoofed HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(US_ASCII));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(got);
            } catch (IOException e) {
                // reset after the refusal
            }
            String answer = got.toString(US_ASCII);
            return answer.startsWith("HTTP/1.1 403 ") ? "" : answer;
        }
    }

    private static List<String> awaitLines(Path file, String marker, Duration within) throws IOException, InterruptedException {
        return Eventually.poll(within,
                () -> Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.<String>of(),
                lines -> lines.stream().anyMatch(l -> l.contains(marker)));
    }
}
