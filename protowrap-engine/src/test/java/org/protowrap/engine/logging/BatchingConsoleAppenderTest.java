package org.protowrap.engine.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.util.Duration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.protowrap.testkit.Eventually;

/** Standard error is replaced by a buffer for each test; the appender writes through System.err. */
class BatchingConsoleAppenderTest {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final LoggerContext context = new LoggerContext();
    private final BatchingConsoleAppender appender = new BatchingConsoleAppender();
    private PrintStream standardError;

    @BeforeEach
    void captureStandardError() {
        standardError = System.err;
        System.setErr(new PrintStream(written, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardError() {
        appender.stop();
        System.setErr(standardError);
    }

    private void start(Duration maxDelay) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %logger{0}: %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        if (maxDelay != null) {
            appender.setMaxDelay(maxDelay);
        }
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    private String written() {
        return written.toString(StandardCharsets.UTF_8);
    }

    private Logger access() {
        return context.getLogger(AccessLog.LOGGER);
    }

    @Test
    void accessLinesWaitForTheNextOtherLineWhichFollowsThemAtOnce() {
        start(Duration.buildByMinutes(10));
        access().info("conn=1 exchange=1");
        access().info("conn=1 exchange=2");
        assertEquals("", written());
        context.getLogger("org.protowrap.engine.relay.Connection").warn("conn=1 rule=x");
        assertEquals("INFO  access: conn=1 exchange=1\nINFO  access: conn=1 exchange=2\nWARN  Connection: conn=1 rule=x\n",
                written());
    }

    @Test
    void otherLinesAreWrittenAtOnce() {
        start(Duration.buildByMinutes(10));
        context.getLogger("org.protowrap.engine.runtime.Server").info("listening");
        assertEquals("INFO  Server: listening\n", written());
    }

    @Test
    void stoppingWritesWhatIsBuffered() {
        start(Duration.buildByMinutes(10));
        access().info("conn=2 outcome=closed");
        appender.stop();
        assertEquals("INFO  access: conn=2 outcome=closed\n", written());
    }

    @Test
    void anAccessLineAloneIsWrittenSoonWithTheDefaults() throws InterruptedException {
        start(null);
        access().info("conn=3 outcome=closed");
        assertEquals("INFO  access: conn=3 outcome=closed\n",
                Eventually.poll(java.time.Duration.ofSeconds(10), this::written, w -> !w.isEmpty()));
    }

    @Test
    void linesFromManyThreadsStayWholeThroughManyBatches() throws InterruptedException {
        start(Duration.buildByMilliseconds(1));
        String padding = "x".repeat(300);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2000; i++) {
                    access().info("thread={} line={} {}", thread, i, padding);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        appender.stop();
        List<String> lines = written().lines().toList();
        assertEquals(8000, lines.size());
        Pattern whole = Pattern.compile("INFO  access: thread=\\d line=\\d+ " + padding);
        assertTrue(lines.stream().allMatch(l -> whole.matcher(l).matches()), () -> lines.stream()
                .filter(l -> !whole.matcher(l).matches()).findFirst().orElse(""));
    }
}
