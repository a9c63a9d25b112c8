package org.protowrap.engine.relay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.protowrap.engine.logging.AccessLog;
import org.slf4j.LoggerFactory;

/**
 * What the engine adds per HTTP request when access lines are on, without I/O: the facts the
 * validator describes, and the exchange's access line formatted and encoded by logback with the
 * image's pattern into a stream that drops the bytes. (In this package because the connection's
 * log is not public; the benchmarks run on the class path.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessLineBenchmark {

    /** The image's pattern (conf/logback.xml). */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0}: %msg%n";

    private final ConnectionLog log = new ConnectionLog("http", 4711, new InetSocketAddress("127.0.0.1", 51234));
    private final TrafficFacts facts = new TrafficFacts();
    private OutputStreamAppender<ILoggingEvent> appender;
    private long requests;

    @Setup
    public void setUp() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(OutputStream.nullOutputStream());
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        context.getLogger(AccessLog.LOGGER).setLevel(Level.INFO);
        describeRequest();
    }

    @TearDown
    public void tearDown() {
        appender.stop();
    }

    /** What the {@code http} validator describes for each request and its response. */
    @Benchmark
    public TrafficFacts describeRequest() {
        facts.put("requests", Long.toString(++requests));
        facts.put("method", "GET");
        facts.put("target", "/articles/2024/protocol-validation");
        facts.put("status", "200");
        return facts;
    }

    /** One exchange's access line, from the connection's log to encoded bytes. */
    @Benchmark
    public void exchangeLine() {
        log.exchange(1, "127.0.0.1:18080", 78, 169, 2_345_678, facts);
    }
}
