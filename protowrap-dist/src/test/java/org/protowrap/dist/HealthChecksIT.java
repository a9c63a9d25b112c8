package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * Active health checks with the documented defaults ({@code healthCheck: {}}: every 10 s, 2 s
 * timeout) keep healthy, idle backends up, for each kind of probe: HTTP ({@code GET}), SMTP
 * (greeting, EHLO, QUIT) and the TCP connect of {@code line}. No client traffic while the checks
 * run: an idle event loop is where a check could stall. logLevel 3 logs every check's result.
 */
@Timeout(120)
class HealthChecksIT {

    /** Three intervals of the default 10 s, and a little more for the first check's start. */
    private static final long IDLE_MILLIS = 33_000;
    private static final Pattern DOWN = Pattern.compile("health UP -> DOWN");

    @TempDir
    Path dir;

    @Test
    void healthyIdleBackendsStayUpWithTheDefaultChecks() throws Exception {
        try (HttpNginx web1 = HttpNginx.start(Files.createDirectories(dir.resolve("web1")));
                HttpNginx web2 = HttpNginx.start(Files.createDirectories(dir.resolve("web2")));
                SmtpServer sink = SmtpServers.smtpSink(Files.createDirectories(dir.resolve("sink")))) {
            int http = Ports.free();
            int smtp = Ports.free();
            int line = Ports.free();
            String yaml = """
                    allowRoot: true
                    logLevel: 3
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d,
                         destAddr: [127.0.0.1:%d, 127.0.0.1:%d], healthCheck: {}}
                      - {name: mail, protocol: smtp, listenAddr: 127.0.0.1, listenPort: %d,
                         destAddr: 127.0.0.1:%d, healthCheck: {}}
                      - {name: plain, protocol: line, listenAddr: 127.0.0.1, listenPort: %d,
                         destAddr: 127.0.0.1:%d, healthCheck: {}}
                    """.formatted(http, web1.port(), web2.port(), smtp, sink.port(), line, web1.port());
            try (ExternalProcess protowrap = ProtowrapImage.run(dir, yaml, http, smtp, line)) {
                Thread.sleep(IDLE_MILLIS);
                String log = protowrap.output();
                assertFalse(DOWN.matcher(log).find(), "a healthy backend went down:\n" + log);
                for (String backend : List.of("wrapper=web backend=127.0.0.1:" + web1.port(),
                        "wrapper=web backend=127.0.0.1:" + web2.port(), "wrapper=mail backend=127.0.0.1:" + sink.port(),
                        "wrapper=plain backend=127.0.0.1:" + web1.port())) {
                    long passed = log.lines().filter(l -> l.contains(backend + " check passed")).count();
                    assertTrue(passed >= 3, backend + ": " + passed + " passed checks logged, expected 3 or more:\n" + log);
                }
                HttpCurl.Result page = HttpCurl.run("-sS", "--max-time", "10", "http://127.0.0.1:" + http + "/index.html");
                assertEquals(HttpNginx.INDEX, page.out(), page.err());
                assertEquals("220", smtpGreetingCode(smtp));
            }
        }
    }

    /** The reply code of the greeting the SMTP wrapper passes on, after a QUIT. */
    private static String smtpGreetingCode(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            OutputStream out = socket.getOutputStream();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return greeting.substring(0, 3);
        }
    }
}
