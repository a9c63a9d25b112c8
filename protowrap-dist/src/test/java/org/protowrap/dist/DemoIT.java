package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/protowrap demo} as the README's first command starts it, with its documented ports
 * (wrappers on 8080 and 2525, backends on 9001, 9002 and 2526, the admin endpoint on 8404), tried
 * with the commands it prints.
 */
@Timeout(180)
class DemoIT {

    private static final List<Integer> DOCUMENTED_PORTS = List.of(8080, 2525, 8404, 9001, 9002, 2526);

    @Test
    void theDemoDoesWhatItSaysToTry(@TempDir Path dir) throws Exception {
        for (int port : DOCUMENTED_PORTS) {
            assertFree(port);
        }
        try (ExternalProcess demo = ExternalProcess.start("protowrap-demo", dir,
                List.of(ProtowrapImage.launcher().toString(), "demo"))) {
            demo.awaitPort(8080).awaitPort(2525).awaitPort(8404);
            String printed = demo.output();
            assertTrue(printed.contains("admin endpoint: http://127.0.0.1:8404/"), printed);
            assertTrue(printed.contains("demo backends: web-1 on 127.0.0.1:9001, web-2 on 127.0.0.1:9002, "
                    + "SMTP sink on 127.0.0.1:2526"), printed);
            assertTrue(printed.contains("  curl http://127.0.0.1:8080/ "), printed);
            assertTrue(printed.contains("  swaks --server 127.0.0.1:2525 --from alice@example.org --to bob@example.org "),
                    printed);

            HttpCurl.Result first = HttpCurl.run("-sS", "http://127.0.0.1:8080/");
            HttpCurl.Result second = HttpCurl.run("-sS", "http://127.0.0.1:8080/");
            assertTrue(first.out().startsWith("Hello from web-1"), first.toString());
            assertTrue(second.out().startsWith("Hello from web-2"), second.toString());
            HttpCurl.Result refused = HttpCurl.run("-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    "-H", "Transfer-Encoding: xchunked", "--data", "x", "http://127.0.0.1:8080/");
            assertEquals("501", refused.out(), refused.toString());

            String swaks = swaks(dir);
            assertTrue(swaks.contains("<-  250 2.0.0 accepted by the demo sink"), swaks);
            assertTrue(demo.output().contains("demo SMTP sink: message from <alice@example.org> to [<bob@example.org>]"),
                    demo.output());

            HttpCurl.Result ready = HttpCurl.run("-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:8404/ready");
            assertEquals("200", ready.out(), ready.toString());
            assertEquals(0, demo.terminate(Duration.ofSeconds(30)), demo.output());
        }
    }

    /** The demo needs its documented ports: one already taken is a busy machine, said plainly. */
    private static void assertFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is taken; the demo listens on " + DOCUMENTED_PORTS, e);
        }
    }

    private static String swaks(Path dir) throws IOException, InterruptedException {
        Path output = dir.resolve("swaks.out");
        Process swaks = new ProcessBuilder(Tools.require("swaks"), "--server", "127.0.0.1:2525",
                "--from", "alice@example.org", "--to", "bob@example.org", "--timeout", "20")
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!swaks.waitFor(60, TimeUnit.SECONDS)) {
            swaks.destroyForcibly().waitFor();
        }
        return Files.readString(output, StandardCharsets.ISO_8859_1);
    }
}
