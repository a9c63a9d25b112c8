package org.protowrap.engine.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations in fixed buckets (seconds, from half a millisecond to ten seconds), as Prometheus
 * histograms count them: cumulative counts per upper bound, a sum and a count. Recording is a
 * few uncontended adds; thread-safe.
 */
public final class Histogram {

    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void observeNanos(long nanos) {
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(seconds);
    }

    /** A histogram's counts at one moment. */
    public record Snapshot(double[] bounds, long[] cumulative, double sum) {
        /** Observations in all. */
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(BOUNDS.clone(), cumulative(), sum());
    }

    /** Cumulative counts: entry i counts observations up to {@code BOUNDS[i]}; the last counts all. */
    long[] cumulative() {
        long[] counts = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            counts[i] = running;
        }
        return counts;
    }

    double sum() {
        return sum.sum();
    }
}
