package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * The dispatcher in the image, in front of two real SMTP servers (Postfix's smtp-sink): swaks
 * sends one message per connection while one server is stopped. Every message acknowledged to
 * swaks is on one of the servers exactly once, the stopped one is marked down, and no message
 * sent after it stopped is refused.
 */
@Timeout(180)
class SmtpFailoverIT {

    private static final int MESSAGES = 36;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageIsDeliveredExactlyOnceWhileAServerStops() throws Exception {
        String swaks = Tools.require("swaks");
        int listenPort = Ports.free();
        try (SmtpServer first = SmtpServers.smtpSink(dir.resolve("first"));
                SmtpServer second = SmtpServers.smtpSink(dir.resolve("second"));
                ExternalProcess protowrap = ProtowrapImage.run(dir, """
                        allowRoot: true
                        wrappers:
                          - name: mail
                            protocol: smtp
                            listenAddr: 127.0.0.1
                            listenPort: %d
                            destAddr: [127.0.0.1:%d, 127.0.0.1:%d]
                            healthCheck: {interval: 100ms, timeout: 1s, rise: 2, fall: 2}
                        """.formatted(listenPort, first.port(), second.port()), listenPort)) {
            List<String> acknowledged = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                if (i == MESSAGES / 3) {
                    first.process().terminate(Duration.ofSeconds(10));
                }
                String subject = "failover-" + i + "-" + System.nanoTime();
                (send(swaks, listenPort, subject) ? acknowledged : refused).add(subject);
            }
            List<String> stored = new ArrayList<>(texts(first));
            stored.addAll(texts(second));
            for (String subject : acknowledged) {
                long copies = stored.stream().filter(text -> text.contains("Subject: " + subject + "\r\n")
                        || text.contains("Subject: " + subject + "\n")).count();
                assertEquals(1, copies, () -> subject + " was acknowledged and stored " + copies + " time(s)");
            }
            assertEquals(List.of(), refused, () -> "refused; protowrap said:\n" + protowrap.output());
            assertTrue(protowrap.output().contains("backend=127.0.0.1:" + first.port() + " health UP -> DOWN"),
                    protowrap::output);
        }
    }

    /** One message on its own connection; whether swaks saw it accepted (exit 0). */
    private boolean send(String swaks, int port, String subject) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(swaks, "--server", "127.0.0.1", "--port", Integer.toString(port),
                "--ehlo", "client.example", "--from", "sender@example.org", "--to", "rcpt@example.org",
                "--header", "Subject: " + subject, "--body", "body of " + subject, "--timeout", "20")
                .redirectErrorStream(true).redirectOutput(dir.resolve("swaks.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "swaks did not finish");
        return p.exitValue() == 0;
    }

    private static List<String> texts(SmtpServer sink) throws IOException {
        List<String> texts = new ArrayList<>();
        for (Path file : sink.messages()) {
            texts.add(Files.readString(file, StandardCharsets.ISO_8859_1));
        }
        return texts;
    }
}
