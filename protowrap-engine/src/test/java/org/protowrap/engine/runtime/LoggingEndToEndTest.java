package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.logging.LogLevel;

/** What an operator reads: one line per connection, one per violation, what is sent on from logLevel 3, every byte at 5. */
@Timeout(60)
class LoggingEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void logsOneLinePerConnectionAndOnePerViolation() throws Exception {
        try (LogCapture log = new LogCapture();
                TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(
                        TestConfig.freePort(), backend.address(), "maxLineLength: 8\noptions: {overlong: reject}\n")));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "far too long a line\nok\n");
            assertEquals("b: ok", TestBackend.reader(client).readLine());
            client.shutdownOutput();
            assertEquals("", Traffic.readToEnd(client));
            RelayEndToEndTest.awaitTrue(() -> log.messages().stream().anyMatch(m -> m.contains("outcome=")));
            List<String> messages = log.messages();
            String violation = only(messages, "rule=");
            assertTrue(violation.matches("wrapper=w conn=\\d+ client=127\\.0\\.0\\.1:\\d+ rule=line\\.too-long "
                    + "action=enforce detail=\".*\" excerpt=\"far too long a line\\\\n\""), violation);
            String end = only(messages, "outcome=");
            assertTrue(end.matches("wrapper=w conn=\\d+ client=127\\.0\\.0\\.1:\\d+ backend=" + backend.address()
                    + " up=3 down=6 duration=\\d+ms outcome=closed"), end);
        }
    }

    @Test
    void logLevelFiveDumpsEveryByte() throws Exception {
        try (LogCapture log = new LogCapture();
                TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(TestConfig.write(dir, "logLevel: 5\n"
                        + TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), "")));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "tab\there\r\n");
            assertEquals("b: tab\there", TestBackend.reader(client).readLine());
            List<String> dumps = log.messages().stream().filter(m -> m.contains(" bytes: ")).toList();
            assertTrue(dumps.stream().anyMatch(m -> m.endsWith("client> 10 bytes: tab\\x09here\\r\\n")), dumps::toString);
            assertTrue(dumps.stream().anyMatch(m -> m.contains("server> ") && m.endsWith("b: tab\\x09here\\n")),
                    dumps::toString);
        } finally {
            LogLevel.apply(2);
        }
    }

    @Test
    void logLevelThreeLogsTheStartOfWhatIsSentToTheServerAndNothingElse() throws Exception {
        String longLine = "x".repeat(300);
        try (LogCapture log = new LogCapture();
                TestBackend backend = TestBackend.named("b");
                RunningServer server = RunningServer.start(TestConfig.write(dir, "logLevel: 3\n"
                        + TestConfig.lineWrapper(TestConfig.freePort(), backend.address(), "maxLineLength: 1024\n")));
                Socket client = Traffic.connect(server.address("w"))) {
            var answers = TestBackend.reader(client);
            Traffic.write(client, "user name\r\n");
            assertEquals("b: user name", answers.readLine());
            Traffic.write(client, longLine + "\n");
            assertEquals("b: " + longLine, answers.readLine());
            RelayEndToEndTest.awaitTrue(() -> log.messages().stream().anyMatch(m -> m.contains(">server 301 bytes")));
            List<String> content = log.messages().stream().filter(m -> m.contains(" bytes: ")).toList();
            assertTrue(content.stream().anyMatch(m -> m.endsWith(">server 11 bytes: user name\\r\\n")),
                    content::toString);
            assertTrue(content.stream().anyMatch(m -> m.endsWith(">server 301 bytes: " + "x".repeat(200) + "...")),
                    content::toString);
            assertTrue(content.stream().allMatch(m -> m.contains(" >server ")),
                    "replies and reads are logged at logLevel 5 only: " + content);
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("logLevel 3: message content will be logged")),
                    "the start-up warning");
        } finally {
            LogLevel.apply(2);
        }
    }

    @Test
    void aBackendThatNeverAnswersIsGivenUpAfterTheConnectTimeout() throws Exception {
        // a listener that never accepts, with its queue filled: further connection attempts get no answer
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                LogCapture log = new LogCapture();
                TestBackend live = TestBackend.named("live")) {
            List<Socket> fillers = new ArrayList<>();
            boolean full = false;
            for (int i = 0; i < 8 && !full; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), 300);
                } catch (SocketTimeoutException e) {
                    full = true;
                }
            }
            assumeTrue(full, "this kernel answers connections beyond the listen queue");
            String backends = "[127.0.0.1:" + silent.getLocalPort() + ", " + live.address() + "]";
            try (RunningServer server = RunningServer.start(TestConfig.write(dir, TestConfig.lineWrapper(
                            TestConfig.freePort(), backends, "connectTimeout: 300ms\n")));
                    Socket client = Traffic.connect(server.address("w"))) {
                Traffic.write(client, "hello\n");
                assertEquals("live: hello", TestBackend.reader(client).readLine());
                assertTrue(log.messages().stream().anyMatch(m -> m.contains("failed: no answer within")),
                        log.messages()::toString);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    private static String only(List<String> messages, String marker) {
        List<String> matching = messages.stream().filter(m -> m.contains(marker)).toList();
        assertEquals(1, matching.size(), matching::toString);
        return matching.get(0);
    }
}
