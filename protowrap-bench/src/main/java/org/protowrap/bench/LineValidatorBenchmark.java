package org.protowrap.bench;

import java.util.Map;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.protowrap.api.MapOptions;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.engine.line.LineValidatorProvider;

/** The base rule over a 64 KiB read of typical text lines: bytes per second. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LineValidatorBenchmark {

    /** Average line length in bytes, line end included. */
    @Param({"40", "400"})
    int lineLength;

    private Validator validator;
    private ByteBuffer read;

    @Setup
    public void setUp() {
        validator = new LineValidatorProvider().create(ValidatorConfig.of("bench", 1000, false, MapOptions.of(Map.of())));
        StringBuilder text = new StringBuilder();
        while (text.length() < 64 * 1024 - lineLength) {
            text.append("x".repeat(lineLength - 2)).append("\r\n");
        }
        read = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** One read's worth of lines through a fresh session; the score times 64 KiB is bytes per second. */
    @Benchmark
    public long readOf64KiB(Blackhole blackhole) {
        DiscardingDecisions out = new DiscardingDecisions(blackhole);
        validator.newSession(new SessionInfo("bench", null, 1)).onClientData(read.duplicate(), out);
        return out.toServer;
    }
}
