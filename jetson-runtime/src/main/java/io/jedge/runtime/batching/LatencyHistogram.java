package io.jedge.runtime.batching;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free log-linear histogram of durations in nanoseconds: 32 linear sub-buckets per power of
 * two, so a reported percentile is within about 3% of the true value, in fixed memory.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
    }

    long count() {
        return total.get();
    }

    long max() {
        return max.get();
    }

    /** The smallest recorded value's bucket bound at or above quantile {@code q} (0..1); 0 when empty. */
    long percentile(double q) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperBound(i), max.get());
            }
        }
        return max.get();
    }

    BatcherStats.Latency summary() {
        return new BatcherStats.Latency(count(), Duration.ofNanos(percentile(0.50)), Duration.ofNanos(percentile(0.99)),
                Duration.ofNanos(max()));
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (e - SUB_BITS)) - SUB;
        return SUB + (e - SUB_BITS) * SUB + sub;
    }

    /** Largest value that falls into bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int e = (i - SUB) / SUB + SUB_BITS;
        long sub = (i - SUB) % SUB + SUB;
        long shift = e - SUB_BITS;
        long low = sub << shift;
        return low + (1L << shift) - 1;
    }
}
