package io.jedge.runtime.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverEveryValueOnce() {
        Random rnd = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long v = i < 1000 ? i : rnd.nextLong() >>> (1 + rnd.nextInt(63));
            int idx = LatencyHistogram.index(v);
            assertTrue(LatencyHistogram.upperBound(idx) >= v, "value " + v);
            assertTrue(idx == 0 || LatencyHistogram.upperBound(idx - 1) < v, "value " + v);
        }
        assertEquals(LatencyHistogram.index(Long.MAX_VALUE), LatencyHistogram.index(Long.MAX_VALUE - 1));
    }

    @Test
    void percentilesAreWithinThreePercent() {
        Random rnd = new Random(42);
        LatencyHistogram h = new LatencyHistogram();
        long[] values = new long[20_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1_000 + (long) (Math.abs(rnd.nextGaussian()) * 2_000_000);
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            long exact = values[(int) Math.ceil(q * values.length) - 1];
            long approx = h.percentile(q);
            assertTrue(approx >= exact && approx <= exact * 1.032, "q=" + q + " exact " + exact + " approx " + approx);
        }
        assertEquals(values[values.length - 1], h.max());
        assertEquals(values.length, h.count());
    }

    @Test
    void emptyHistogramReportsZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentile(0.99));
        assertEquals(0, h.summary().count());
    }
}
