package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HistogramTest {
    private static float[] uniform(int n, float max) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i + 0.5f) / n * max;
        }
        return v;
    }

    @Test
    void firstChunkFixesRangeWithDefaultBins() {
        Histogram h = new Histogram();
        h.add(new float[] {-2f, 0.5f, 1f, 0f});
        assertEquals(2048, h.binCount());
        assertEquals(2.0 / 2048, h.binWidth(), 1e-15);
        assertEquals(-2f, h.min());
        assertEquals(1f, h.max());
        assertEquals(2f, h.absMax());
        assertEquals(4, h.totalCount());
        assertEquals(1, h.count(2047), "the value at the top edge falls into the last bin");
        assertEquals(1, h.count(1024), "|1| lands at the middle");
        assertEquals(1, h.count(0));
    }

    @Test
    void negativeAndPositiveValuesShareTheAbsoluteBin() {
        Histogram h = new Histogram();
        h.add(new float[] {1f, -0.25f, 0.25f});
        assertEquals(2, h.count(512));
    }

    @Test
    void growingKeepsTheBinWidthAndEarlierCounts() {
        Histogram h = new Histogram();
        h.add(uniform(20_000, 1f));
        long[] before = h.counts();
        double width = h.binWidth();
        h.add(new float[] {2.9f, -3f});
        assertEquals(width, h.binWidth(), 0.0);
        assertEquals((int) Math.ceil(3 / width), h.binCount());
        long[] after = h.counts();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], "bin " + i);
        }
        assertEquals(20_002, LongStream.of(after).sum());
        assertEquals(20_002, h.totalCount());
        assertEquals(1, after[after.length - 1]);
    }

    @Test
    void growingPastTheCapMergesBinsInPairsAndPreservesCounts() {
        Histogram h = new Histogram(128, 256);
        h.add(uniform(1280, 1f));
        long[] before = h.counts();
        double width = h.binWidth();
        float big = 10f * (float) (width * 128);
        h.add(new float[] {big});
        // 10 × the old top edge needs 1280 bins > 256: the width doubles three times, 160 bins
        assertEquals(8 * width, h.binWidth(), 1e-12);
        assertEquals((int) Math.ceil(big / (8 * width)), h.binCount());
        assertTrue(h.binCount() >= 160 && h.binCount() <= 161);
        assertEquals(1281, LongStream.of(h.counts()).sum());
        for (int i = 0; i < 16; i++) {
            long merged = LongStream.of(before).skip(8L * i).limit(8).sum();
            assertEquals(merged, h.count(i), "merged bin " + i);
        }
        assertEquals(1, h.count(h.binCount() - 1));
    }

    @Test
    void rebinningPreservesTheTotalCountOverManyGrowingChunks() {
        Random r = new Random(3);
        Histogram h = new Histogram();
        long n = 0;
        float scale = 1e-3f;
        for (int chunk = 0; chunk < 40; chunk++) {
            float[] v = new float[1000 + chunk * 37];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian() * scale;
            }
            scale *= 1.6f;
            h.add(v);
            n += v.length;
            assertEquals(n, LongStream.of(h.counts()).sum(), "after chunk " + chunk);
            assertTrue(h.binCount() >= Histogram.DEFAULT_BINS && h.binCount() <= Histogram.DEFAULT_MAX_BINS);
            assertTrue(h.edge(h.binCount()) >= h.absMax(), "top edge covers the max");
        }
        assertEquals(n, h.totalCount());
    }

    @Test
    void zerosBeforeTheFirstNonZeroValueLandInBinZero() {
        Histogram h = new Histogram();
        h.add(new float[] {0f, 0f, -0f});
        assertEquals(0, h.binCount());
        assertEquals(0f, h.absMax());
        h.add(new float[] {0f, 4f});
        assertEquals(4, h.count(0));
        assertEquals(5, h.totalCount());
    }

    @Test
    void nonFiniteValuesAreSkippedAndCounted() {
        Histogram h = new Histogram();
        h.add(new float[] {Float.NaN, 1f, Float.POSITIVE_INFINITY, -0.5f, Float.NEGATIVE_INFINITY});
        assertEquals(3, h.nonFiniteCount());
        assertEquals(2, h.totalCount());
        assertEquals(1f, h.absMax());
    }

    @Test
    void addsOnlyTheGivenSlice() {
        Histogram h = new Histogram();
        h.add(new float[] {100f, 1f, 2f, 100f}, 1, 2);
        assertEquals(2f, h.absMax());
        assertEquals(2, h.totalCount());
        assertThrows(IndexOutOfBoundsException.class, () -> h.add(new float[3], 2, 2));
    }

    @Test
    void rejectsTooFewBinsOrATooLowCap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Histogram(64, 4096));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Histogram(2048, 3000));
    }

    @Test
    void emptyHistogramHasNoExtremes() {
        Histogram h = new Histogram();
        assertTrue(h.isEmpty());
        assertThrows(IllegalStateException.class, h::absMax);
    }
}
