package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real HTTPS clients through the image's {@code http} wrapper terminating TLS with its defaults
 * (implicit TLS, TLS 1.3 and 1.2) in front of a plain nginx: curl, Python, the JDK's client and
 * headless Chromium get the page over HTTP/1.1 whatever they offer; OpenSSL's client gets the
 * certificate its SNI names and no TLS 1.0 or 1.1; and a smuggling attempt inside TLS meets the
 * same refusal as in clear.
 */
@Timeout(60)
class HttpsClientsIT {

    @TempDir
    static Path dir;

    private static TlsCertificates authority;
    private static TlsCertificates.Issued web;
    private static TlsCertificates.Issued other;
    private static HttpNginx nginx;
    private static ExternalProcess protowrap;
    private static int httpsPort;
    private static int sitesPort;
    private static int clearPort;

    @BeforeAll
    static void start() throws Exception {
        authority = TlsCertificates.authority(dir.resolve("certificates"));
        web = authority.issue("web", "localhost", "127.0.0.1");
        other = authority.issue("other", "other.test");
        nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")));
        httpsPort = Ports.free();
        sitesPort = Ports.free();
        clearPort = Ports.free();
        protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - name: web
                    protocol: http
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    tls: {certificate: %s, key: %s}
                  - name: sites
                    protocol: http
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    tls:
                      certificates:
                        - {certificate: %s, key: %s}
                        - {certificate: %s, key: %s}
                  - {name: clear, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                """.formatted(httpsPort, nginx.port(), web.certificate(), web.key(), sitesPort, nginx.port(),
                web.certificate(), web.key(), other.certificate(), other.key(), clearPort, nginx.port()),
                httpsPort, sitesPort, clearPort);
    }

    @AfterAll
    static void stop() throws Exception {
        try (ExternalProcess p = protowrap; HttpNginx n = nginx) {
            if (p != null) {
                assertTrue(p.isAlive(), "protowrap exited during the tests:\n" + p.output());
            }
        }
    }

    @Test
    void curlGetsThePageOverHttp11ThoughItOffersHttp2() throws Exception {
        HttpCurl.Result r = HttpCurl.run("-sS", "-v", "--http2", "--cacert", authority.caFile().toString(),
                "--resolve", "localhost:" + httpsPort + ":127.0.0.1", "-w", "\n%{http_code} %{http_version}",
                "https://localhost:" + httpsPort + "/index.html");
        assertEquals(0, r.exit(), r.err());
        assertEquals(HttpNginx.INDEX + "\n200 1.1", r.out());
        assertTrue(r.err().contains("ALPN: server accepted http/1.1"), r.err());
    }

    @Test
    void pythonSslGetsThePage() throws Exception {
        String script = """
                import ssl, sys, urllib.request
                context = ssl.create_default_context(cafile=sys.argv[1])
                with urllib.request.urlopen(sys.argv[2], context=context, timeout=20) as response:
                    sys.stdout.write("%d %s\\n" % (response.status, response.version))
                    sys.stdout.write(response.read().decode())
                """;
        String out = run("/usr/bin/python3", "-c", script, authority.caFile().toString(),
                "https://localhost:" + httpsPort + "/index.html");
        assertEquals("200 11\n" + HttpNginx.INDEX, out);
    }

    @Test
    void javaHttpClientGetsThePageOverHttp11() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().sslContext(authority.clientContext()).build()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "the client asks for HTTP/2 by default");
            assertEquals(HttpNginx.INDEX, response.body());
        }
    }

    @Test
    void chromiumRendersThePage() throws Exception {
        // Chromium trusts the server's key by its hash: no system store or NSS database to change.
        String dom = run(Tools.require("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("chromium"),
                "--ignore-certificate-errors-spki-list=" + web.spkiSha256(), "--dump-dom",
                "https://localhost:" + httpsPort + "/index.html");
        assertTrue(dom.contains("<title>ProtoWrap</title>") && dom.contains("served by nginx through the wrapper"),
                dom);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "other.test"})
    void sniChoosesTheCertificate(String name) throws Exception {
        String out = opensslClient(sitesPort, "-servername", name, "-verify_return_error", "-CAfile",
                authority.caFile().toString());
        assertTrue(out.contains("subject=CN = " + name + "\n"), out);
        assertTrue(out.contains("Verify return code: 0 (ok)"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void refusesOldProtocolVersions(String version) throws Exception {
        int mark = protowrap.output().length();
        // SECLEVEL=0 lets OpenSSL's client offer what its own defaults no longer do: the server must refuse.
        String out = opensslClient(httpsPort, version, "-cipher", "DEFAULT:@SECLEVEL=0");
        assertTrue(out.contains("alert protocol version") && out.contains("Cipher is (NONE)"), out);
        protowrap.awaitLine(mark, "TLS with the client failed: (protocol_version)", Duration.ofSeconds(10));
    }

    @Test
    void smugglingInsideTlsIsRefusedAsInClear() throws Exception {
        String inner = "GET /smuggled-inner HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String smuggled = "POST /index.html?smuggled HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + inner;
        int mark = protowrap.output().length();
        HttpRawClient.Exchange clear = HttpRawClient.send(clearPort, smuggled);
        SSLSocket socket = (SSLSocket) authority.clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), httpsPort);
        HttpRawClient.Exchange tls = HttpRawClient.send(socket, smuggled);

        assertTrue(tls.closedByPeer(), "the wrapper left the connection open");
        assertEquals(clear.responses(), tls.responses());
        HttpRawClient.Response refusal = tls.responses().getFirst();
        assertEquals(400, refusal.status(), refusal.toString());
        assertTrue(refusal.body().contains("(http.cl-te.both)"), refusal.toString());
        for (String wrapper : List.of("clear", "web")) {
            int clientPort = wrapper.equals("web") ? tls.localPort() : clear.localPort();
            List<String> lines = new HttpWrapperLog(protowrap, wrapper).connection(clientPort, mark);
            assertTrue(lines.stream().anyMatch(l -> l.contains(" rule=http.cl-te.both ")), String.join("\n", lines));
        }
        HttpCurl.Result after = HttpCurl.run("-sS", "--cacert", authority.caFile().toString(),
                "https://localhost:" + httpsPort + "/index.html?after-smuggling");
        assertEquals(HttpNginx.INDEX, after.out(), after.err());
        assertEquals(1, nginx.awaitRequests("?after-smuggling", 1).size());
        assertTrue(nginx.accessLog().stream().noneMatch(r -> r.requestLine().contains("smuggled")),
                "nginx served the refused request: " + nginx.accessLog());
    }

    /** Runs {@code openssl s_client} on one connection that sends nothing; returns all it printed. */
    private static String opensslClient(int port, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("openssl"), "s_client", "-connect",
                "127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not finish");
        return out;
    }

    /** Runs a client program; returns its standard output, failing with its error output if it fails. */
    private static String run(String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile(dir, "client", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(40, TimeUnit.SECONDS), command[0] + " did not finish");
        assertEquals(0, process.exitValue(), Files.readString(err));
        return out;
    }
}
