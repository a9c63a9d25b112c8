package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code destTls}: plain clients through the image's {@code http} wrapper to an nginx that speaks
 * only TLS, with the backend's certificate checked (the default). A certificate for another name,
 * or from an authority the wrapper does not trust, is a failed connect: the client gets 503 and
 * the log says why.
 */
@Timeout(60)
class TlsBackendIT {

    @TempDir
    static Path dir;

    private static HttpNginx nginx;
    private static ExternalProcess protowrap;
    private static int verifiedPort;
    private static int namedPort;
    private static int wrongNamePort;
    private static int untrustedPort;

    @BeforeAll
    static void start() throws Exception {
        TlsCertificates authority = TlsCertificates.authority(dir.resolve("certificates"));
        TlsCertificates.Issued backend = authority.issue("backend", "localhost", "127.0.0.1");
        nginx = HttpNginx.startTls(Files.createDirectories(dir.resolve("nginx")), backend);
        verifiedPort = Ports.free();
        namedPort = Ports.free();
        wrongNamePort = Ports.free();
        untrustedPort = Ports.free();
        String wrapper = "  - {name: %s, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:"
                + nginx.port() + ", destTls: %s}\n";
        String ca = authority.caFile().toString();
        protowrap = ProtowrapImage.run(dir, "allowRoot: true\nwrappers:\n"
                // the server name defaults to the backend's host, here an IP address in the certificate
                + wrapper.formatted("verified", verifiedPort, "{ca: " + ca + "}")
                + wrapper.formatted("named", namedPort, "{ca: " + ca + ", serverName: localhost}")
                + wrapper.formatted("wrongname", wrongNamePort, "{ca: " + ca + ", serverName: wrong.example}")
                // the JDK's authorities, which do not include the test's
                + wrapper.formatted("untrusted", untrustedPort, "{serverName: localhost}"),
                verifiedPort, namedPort, wrongNamePort, untrustedPort);
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
    void aVerifiedBackendServesThePage() throws Exception {
        for (int port : List.of(verifiedPort, namedPort)) {
            HttpCurl.Result r = HttpCurl.run("-sS", "-w", "\n%{http_code}", "http://127.0.0.1:" + port + "/index.html");
            assertEquals(HttpNginx.INDEX + "\n200", r.out(), r.err());
        }
        assertEquals(2, nginx.awaitRequests("/index.html", 2).size());
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        assertRefused("wrongname", wrongNamePort, "No subject alternative DNS name matching wrong.example");
    }

    @Test
    void aCertificateFromAnUnknownAuthorityIsRefused() throws Exception {
        assertRefused("untrusted", untrustedPort, "PKIX path building failed");
    }

    private static void assertRefused(String wrapper, int port, String reason) throws Exception {
        HttpWrapperLog log = new HttpWrapperLog(protowrap, wrapper);
        int mark = log.mark();
        HttpCurl.Result r = HttpCurl.run("-sS", "-o", "/dev/null", "-w", "%{http_code} %{local_port}",
                "http://127.0.0.1:" + port + "/index.html?" + wrapper);
        String[] codeAndPort = r.out().split(" ");
        assertEquals("503", codeAndPort[0], r.err());
        List<String> lines = log.connection(Integer.parseInt(codeAndPort[1]), mark);
        String all = String.join("\n", lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("backend=127.0.0.1:" + nginx.port() + " failed: ")
                && l.contains(reason)), all);
        assertTrue(lines.getLast().contains(" outcome=no-backend"), all);
        assertTrue(nginx.accessLog().stream().noneMatch(line -> line.requestLine().contains("?" + wrapper)),
                "nginx served the request: " + nginx.accessLog());
    }
}
