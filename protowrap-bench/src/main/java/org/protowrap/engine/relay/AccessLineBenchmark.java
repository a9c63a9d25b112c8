package org.protowrap.engine.relay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.protowrap.engine.logging.AccessLog;
import org.protowrap.engine.logging.BatchingConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * What the engine adds per HTTP request when access lines are on: the exchange's access line,
 * formatted and encoded by logback with the image's pattern, then written ({@code sink}):
 * {@code discard} drops the bytes (formatting alone),
 * {@code console} is logback's console appender (a write per line, as the image had it),
 * {@code batching} the image's {@link BatchingConsoleAppender}; both write standard error, which
 * the benchmark sends to a temporary file. Run with {@code -t 2} to add the event loops' contention.
 * (In this package because the connection's log is not public; the benchmarks run on the class path.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessLineBenchmark {

    /** The image's pattern (conf/logback.xml). */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0}: %msg%n";

    @Param({"discard", "console", "batching"})
    String sink;

    private OutputStreamAppender<ILoggingEvent> appender;
    private PrintStream standardError;
    private Path file;

    /** A connection, one per benchmark thread as each event loop has its own, with an HTTP request's facts. */
    @State(Scope.Thread)
    public static class OneConnection {
        final ConnectionLog log = new ConnectionLog("http", 4711, new InetSocketAddress("127.0.0.1", 51234));
        final TrafficFacts facts = TrafficFactsBenchmark.describe(new TrafficFacts(), 1);
    }

    @Setup
    public void setUp() throws IOException {
        file = Files.createTempFile("access", ".log");
        standardError = System.err;
        System.setErr(new PrintStream(new FileOutputStream(file.toFile()), true));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        appender = switch (sink) {
            case "discard" -> {
                OutputStreamAppender<ILoggingEvent> discard = new OutputStreamAppender<>();
                discard.setOutputStream(OutputStream.nullOutputStream());
                yield discard;
            }
            case "console" -> {
                ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
                console.setTarget("System.err");
                yield console;
            }
            default -> new BatchingConsoleAppender();
        };
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger(AccessLog.LOGGER).setLevel(Level.INFO);
    }

    @TearDown
    public void tearDown() throws IOException {
        appender.stop();
        System.err.close();
        System.setErr(standardError);
        Files.delete(file);
    }

    /** One exchange's access line, from the connection's log to the sink. */
    @Benchmark
    public void exchangeLine(OneConnection connection) {
        connection.log.exchange(1, "127.0.0.1:18080", 78, 169, 2_345_678, connection.facts);
    }
}
