package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access lines with the image's defaults (logLevel 2, conf/logback.xml, which writes them in
 * batches): one per request and one per connection, each whole, none lost when ProtoWrap is
 * stopped with SIGTERM right after the traffic.
 */
@Timeout(60)
class AccessLinesIT {

    private static final int REQUESTS = 200;

    @TempDir
    Path dir;

    @Test
    void everyRequestsLineIsWrittenWholeByTheTimeProtowrapHasStopped() throws Exception {
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")))) {
            int port = Ports.free();
            ExternalProcess protowrap = ProtowrapImage.run(dir, """
                    allowRoot: true
                    wrappers:
                      - {name: web, protocol: http, listenAddr: 127.0.0.1, listenPort: %d, destAddr: 127.0.0.1:%d}
                    """.formatted(port, nginx.port()), port);
            try (protowrap) {
                // curl's URL range: every request on one keep-alive connection
                HttpCurl.Result r = HttpCurl.run("-sS", "-w", "\\n%{http_code}\\n",
                        "http://127.0.0.1:" + port + "/index.html?n=[1-" + REQUESTS + "]");
                assertEquals(REQUESTS, r.out().lines().filter("200"::equals).count(), r.out() + r.err());
                assertEquals(0, protowrap.terminate(Duration.ofSeconds(30)));
            }
            // the curl connection's lines (waiting for the port made a connection of its own, without a backend)
            List<String> served = protowrap.output().lines()
                    .filter(l -> l.contains(" access: ") && l.contains(" backend=127.0.0.1:" + nginx.port() + " ")).toList();
            Pattern exchange = Pattern.compile(".* INFO  \\[protowrap-loop-\\d+\\] access: wrapper=web conn=\\d+ exchange=\\d+ "
                    + "client=127\\.0\\.0\\.1:\\d+ backend=127\\.0\\.0\\.1:" + nginx.port()
                    + " up=\\d+ down=\\d+ duration=\\d+ms requests=\\d+ method=GET target=/index\\.html status=200");
            assertEquals(REQUESTS, served.stream().filter(l -> exchange.matcher(l).matches()).count(),
                    String.join("\n", served));
            assertTrue(served.getLast().matches(".* access: wrapper=web conn=\\d+ client=.* outcome=\\S+ requests="
                    + REQUESTS + " method=GET target=/index\\.html status=200"), served.getLast());
            assertEquals(REQUESTS + 1, served.size(), String.join("\n", served));
        }
    }
}
