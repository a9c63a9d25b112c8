package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.SmtpConversation.Reply;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * The wrapper's timeouts and its shutdown as an SMTP client sees them, with the documented
 * defaults (requestTimeout 30 s, serverTimeout 60 s, idleTimeout 5 min, shutdownGrace 30 s).
 */
@Timeout(120)
@Execution(ExecutionMode.CONCURRENT) // the tests wait out default timeouts: let the waits overlap
class SmtpTimeoutsAndDrainIT {

    private static final long REQUEST_TIMEOUT_MILLIS = 30_000;
    private static final long SERVER_TIMEOUT_MILLIS = 60_000;

    @TempDir
    Path dir;

    /**
     * After EHLO a client that sends a byte every 5 s never lets the idle timeout run out: each
     * command line must still be complete within requestTimeout.
     */
    @Test
    void aCommandLineDribbledAfterEhloIsCutAtTheRequestTimeout() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port());
                SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
            long start = System.nanoTime();
            try {
                for (char c : "NOOP waiting".toCharArray()) {
                    client.send(String.valueOf(c));
                    Thread.sleep(5_000);
                }
            } catch (IOException closed) {
                // the wrapper closed the connection: what it said is read below
            }
            Reply reply = client.reply();
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(reply.text().startsWith("421 4.4.2 "), reply.text());
            assertTrue(elapsedMillis >= REQUEST_TIMEOUT_MILLIS && elapsedMillis < REQUEST_TIMEOUT_MILLIS + 15_000,
                    "cut after " + elapsedMillis + " ms");
            wrapper.awaitLine("outcome=timeout");
        }
    }

    /**
     * A server that greets, then never answers MAIL: after serverTimeout (60 s) the client is
     * told 421 4.4.2, a transient failure, rather than held until the idle timeout (5 min).
     */
    @Test
    void aServerThatStopsAnsweringGetsTheClient421AfterTheServerTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
                SmtpWrapper wrapper = SmtpWrapper.start(dir, silent.getLocalPort())) {
            Thread server = Thread.ofVirtual().start(() -> greetThenFallSilent(silent));
            try (SmtpConversation client = SmtpConversation.connect(wrapper.port())) {
                client.expect(220, client.reply());
                client.send("EHLO client.example\r\n");
                long start = System.nanoTime();
                Reply reply = readPatiently(client);
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

                assertTrue(reply.text().startsWith("421 4.4.2 "), reply.text());
                assertTrue(elapsedMillis >= SERVER_TIMEOUT_MILLIS && elapsedMillis < SERVER_TIMEOUT_MILLIS + 15_000,
                        "told after " + elapsedMillis + " ms");
            } finally {
                server.interrupt();
            }
        }
    }

    /** Accepts connections until closed; on each it greets, then reads and never answers. */
    private static void greetThenFallSilent(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                Thread.ofVirtual().start(() -> {
                    try (connection) {
                        connection.getOutputStream().write("220 silent.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                        connection.getInputStream().transferTo(OutputStream.nullOutputStream());
                    } catch (IOException ended) {
                        // the wrapper closed it
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** The next reply, however long it takes within the test's own timeout. */
    private static Reply readPatiently(SmtpConversation client) throws IOException {
        while (true) {
            try {
                return client.reply();
            } catch (SocketTimeoutException notYet) {
                // the conversation's read timeout is shorter than the server timeout
            }
        }
    }

    /**
     * SIGTERM: a session between transactions is told 421 at once; one inside a transaction
     * finishes its message first, then is told. Neither waits for the 30 s grace.
     */
    @Test
    void atShutdownIdleSessionsEndAtOnceAndBusyOnesAfterTheirTransaction() throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir);
                SmtpWrapper wrapper = SmtpWrapper.startWithDefaultGrace(dir, recorder.port());
                SmtpConversation idle = SmtpConversation.greeted(wrapper.port());
                SmtpConversation busy = SmtpConversation.greeted(wrapper.port())) {
            idle.expect(250, idle.command("MAIL FROM:<a@example.org>"));
            idle.expect(250, idle.command("RCPT TO:<b@example.org>"));
            idle.expect(354, idle.command("DATA"));
            idle.send("Subject: before the shutdown\r\n\r\nbody\r\n.\r\n");
            idle.expect(250, idle.reply());
            busy.expect(250, busy.command("MAIL FROM:<a@example.org>"));
            busy.expect(250, busy.command("RCPT TO:<b@example.org>"));

            long start = System.nanoTime();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread stopping = Thread.ofVirtual().start(() -> {
                try {
                    exit.set(wrapper.terminate());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Reply told = idle.reply();
            long idleMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(told.text().startsWith("421 4.3.2 "), told.text());
            assertEquals("", idle.readUntilClosed());
            assertTrue(idleMillis < 5_000, "the idle session was told after " + idleMillis + " ms");

            busy.expect(354, busy.command("DATA"));
            busy.send("Subject: during the shutdown\r\n\r\nbody\r\n.\r\n");
            busy.expect(250, busy.reply());
            Reply after = busy.reply();
            assertTrue(after.text().startsWith("421 4.3.2 "), after.text());
            assertEquals("", busy.readUntilClosed());
            stopping.join();
            long exitMillis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(0, exit.get(), wrapper.log());
            assertTrue(exitMillis < 10_000, "exited after " + exitMillis + " ms");
            assertEquals(2, recorder.messages().size(), "messages at the server");
            assertTrue(wrapper.log().contains("helo=client.example") && wrapper.log().contains("messages=1"),
                    wrapper.log());
        }
    }
}
