package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maxLineLength} through the image, with curl: unset, an {@code http} wrapper keeps its
 * documented 8 KiB field line limit (an 8 KiB Cookie field passes, a longer one gets 431); set, it
 * is the wrapper's field line limit; set below what a protocol needs, {@code check} and {@code run}
 * refuse it at its line.
 */
@Timeout(60)
class MaxLineLengthIT {

    @TempDir
    static Path dir;

    private static HttpChecksumServer backend;
    private static ExternalProcess protowrap;
    private static int web;
    private static int wide;

    @BeforeAll
    static void start() throws Exception {
        backend = HttpChecksumServer.start();
        web = Ports.free();
        wide = Ports.free();
        protowrap = ProtowrapImage.run(dir, """
                allowRoot: true
                wrappers:
                  - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                  - name: wide
                    protocol: http
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                    maxLineLength: 16384
                """.formatted(web, backend.port(), wide, backend.port()), web, wide);
    }

    @AfterAll
    static void stop() throws Exception {
        try (ExternalProcess p = protowrap) {
            backend.close();
        }
    }

    /** The status curl gets for a GET whose Cookie field line is {@code fieldLine} bytes, CRLF included. */
    private static String status(int port, int fieldLine) throws Exception {
        String cookie = "Cookie: a=" + "x".repeat(fieldLine - "Cookie: a=\r\n".length());
        HttpCurl.Result r = HttpCurl.run("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", cookie,
                "http://127.0.0.1:" + port + "/");
        return r.out();
    }

    @Test
    void byDefaultAn8KiBCookieFieldPassesAndALongerOneIsRefused() throws Exception {
        assertEquals("200", status(web, 8192));
        assertEquals("431", status(web, 8193));
    }

    @Test
    void setOnAnHttpWrapperItIsTheFieldLineLimit() throws Exception {
        assertEquals("200", status(wide, 12_000));
        assertEquals("200", status(wide, 16_384));
        assertEquals("431", status(wide, 16_385));
    }

    @Test
    void belowWhatSmtpNeedsItIsRefusedByCheckAndRun(@TempDir Path other) throws Exception {
        Path config = other.resolve("short.yaml");
        Files.writeString(config, """
                allowRoot: true
                wrappers:
                  - name: mail
                    protocol: smtp
                    listenPort: %d
                    destAddr: 127.0.0.1:25
                    maxLineLength: 100
                """.formatted(Ports.free()));
        for (String command : new String[] {"check", "run"}) {
            ImageIT.Result r = ImageIT.protowrap(command, "--config", config.toString());
            assertEquals(2, r.exit(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains("short.yaml:7:5: wrappers[0].maxLineLength: 100 is below 512, the least SMTP "
                    + "command lines may be"), command + ": " + r.err());
        }
    }
}
