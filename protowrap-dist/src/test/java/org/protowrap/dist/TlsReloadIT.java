package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewing a certificate as an operator does: new files in place, then SIGHUP. A TLS connection
 * open across the reload keeps working, a new one gets the new certificate, and a reload that
 * finds a broken key keeps the certificate in use and says which file is wrong.
 */
@Timeout(60)
class TlsReloadIT {

    private static final String REQUEST = "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void renewedCertificateServesNewConnectionsWhileOpenOnesGoOn() throws Exception {
        TlsCertificates authority = TlsCertificates.authority(dir.resolve("certificates"));
        TlsCertificates.Issued first = authority.issue("first", "localhost", "127.0.0.1");
        TlsCertificates.Issued renewed = authority.issue("renewed", "localhost", "127.0.0.1");
        Path certificate = dir.resolve("site.pem");
        Path key = dir.resolve("site.key");
        install(first, certificate, key);
        int port = Ports.free();
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")));
                ExternalProcess protowrap = ProtowrapImage.run(dir, """
                        allowRoot: true
                        wrappers:
                          - name: web
                            protocol: http
                            listenAddr: 127.0.0.1
                            listenPort: %d
                            destAddr: 127.0.0.1:%d
                            tls: {certificate: site.pem, key: site.key}
                        """.formatted(port, nginx.port()), port)) {
            SSLContext client = authority.clientContext();
            try (SSLSocket open = connect(client, port)) {
                assertEquals(serial(first), serial(open));
                assertTrue(exchange(open).endsWith(HttpNginx.INDEX));

                install(renewed, certificate, key);
                int mark = protowrap.output().length();
                reload(protowrap);
                awaitLog(protowrap, mark, "reload: applied");

                assertTrue(exchange(open).endsWith(HttpNginx.INDEX), "the open connection stopped working");
                try (SSLSocket fresh = connect(client, port)) {
                    assertEquals(serial(renewed), serial(fresh));
                    assertTrue(exchange(fresh).endsWith(HttpNginx.INDEX));
                }

                Files.writeString(key, "not a key\n");
                mark = protowrap.output().length();
                reload(protowrap);
                String refusal = awaitLog(protowrap, mark, "still serving the previous configuration");
                String reason = awaitLog(protowrap, mark, key.toString());
                assertTrue(reason.contains("not a PEM file"), refusal + "\n" + reason);

                assertTrue(exchange(open).endsWith(HttpNginx.INDEX), "the open connection stopped working");
                try (SSLSocket fresh = connect(client, port)) {
                    assertEquals(serial(renewed), serial(fresh));
                    assertTrue(exchange(fresh).endsWith(HttpNginx.INDEX));
                }
            }
            // in order: open, open, fresh, open, fresh (the fresh ones may share a kept backend connection)
            List<HttpNginx.Request> served = nginx.awaitRequests("/index.html", 5);
            assertEquals(List.of(served.get(0).connection(), served.get(0).connection()),
                    List.of(served.get(1).connection(), served.get(3).connection()),
                    "requests on the connection held open should share one backend connection: " + served);
        }
    }

    private static void install(TlsCertificates.Issued issued, Path certificate, Path key) throws IOException {
        Files.copy(issued.certificate(), certificate, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(issued.key(), key, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void reload(ExternalProcess protowrap) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(protowrap.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -HUP failed");
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static String serial(TlsCertificates.Issued issued) throws Exception {
        try (InputStream in = Files.newInputStream(issued.certificate())) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in)).getSerialNumber().toString(16);
        }
    }

    private static String serial(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
    }

    /** One keep-alive request on {@code socket}; returns the response, read to the end of its body. */
    private static String exchange(SSLSocket socket) throws IOException {
        socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (true) {
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                Matcher length = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                        .matcher(text.substring(0, headEnd));
                if (length.find() && text.length() >= headEnd + 4 + Integer.parseInt(length.group(1))) {
                    return text;
                }
            }
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the connection ended after " + text);
            }
            received.write(b);
        }
    }

    /** The first line logged since {@code mark} that holds {@code text}; fails if none comes within 10 s. */
    private static String awaitLog(ExternalProcess protowrap, int mark, String text) throws InterruptedException {
        return protowrap.awaitLine(mark, text, Duration.ofSeconds(10));
    }
}
