package org.protowrap.engine.relay;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The facts the {@code http} validator describes for each request and its response, checked and
 * kept for the access line (paid whether access lines are on or not). (In this package because
 * the facts are not public; the benchmarks run on the class path.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TrafficFactsBenchmark {

    private final TrafficFacts facts = new TrafficFacts();
    private long requests;

    static TrafficFacts describe(TrafficFacts facts, long requests) {
        facts.put("requests", Long.toString(requests));
        facts.put("method", "GET");
        facts.put("target", "/articles/2024/protocol-validation");
        facts.put("status", "200");
        return facts;
    }

    @Benchmark
    public TrafficFacts describeRequest() {
        return describe(facts, ++requests);
    }
}
