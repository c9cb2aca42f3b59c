package io.jedge.converters.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.sdk.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void identicalOutputsArePerfect() {
        float[] x = {1f, -2f, 3.5f, 0f};
        Metrics m = Metrics.of(x, x.clone());
        assertEquals(1.0, m.cosine(), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, m.sqnrDb());
        assertEquals(0.0, m.maxAbsError());
        assertEquals(0.0, m.maxRelError());
        assertEquals(4, m.elements());
        assertFalse(m.top1Agreement().isPresent());
    }

    @Test
    void relativeL2IsTheErrorNormOverTheReferenceNorm() {
        // reference (3, 4), candidate (3, 4) + (0, 1): ||e|| / ||x|| = 1 / 5
        assertEquals(0.2, Metrics.of(new float[] {3f, 4f}, new float[] {3f, 5f}).relativeL2(), 1e-12);
        assertEquals(0.0, Metrics.of(new float[] {3f, 4f}, new float[] {3f, 4f}).relativeL2(), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.of(new float[] {0f, 0f}, new float[] {1f, 0f}).relativeL2());
    }

    @Test
    void cosineOfOrthogonalAndOppositeVectors() {
        assertEquals(0.0, Metrics.of(new float[] {1f, 0f, 2f}, new float[] {0f, 3f, 0f}).cosine(), 1e-12);
        assertEquals(0.0, Metrics.of(new float[] {1f, 1f}, new float[] {1f, -1f}).cosine(), 1e-12);
        assertEquals(-1.0, Metrics.of(new float[] {1f, -2f}, new float[] {-2f, 4f}).cosine(), 1e-12);
        assertEquals(0.0, Metrics.of(new float[] {0f, 0f}, new float[] {1f, 0f}).cosine());
        assertEquals(1.0, Metrics.of(new float[] {0f, 0f}, new float[] {0f, 0f}).cosine());
    }

    @Test
    void sqnrOfASineWithAlternatingNoiseIsExact() {
        int n = 10_000; // 100 full periods
        double amplitude = 2.0;
        double eps = 0.01;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * i / 100));
            y[i] = x[i] + (float) (i % 2 == 0 ? eps : -eps);
        }
        double expected = 10 * Math.log10(amplitude * amplitude / 2 / (eps * eps)); // 43.01 dB
        assertEquals(expected, Metrics.of(x, y).sqnrDb(), 0.1);
    }

    @Test
    void sqnrOfGaussianNoiseMatchesTheVarianceRatio() {
        Random r = new Random(4);
        int n = 200_000;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (3 * r.nextGaussian());
            y[i] = x[i] + (float) (0.03 * r.nextGaussian());
        }
        Metrics m = Metrics.of(x, y);
        assertEquals(40.0, m.sqnrDb(), 0.1); // 10·log10(9 / 0.0009)
        assertTrue(m.cosine() > 0.9999 && m.cosine() < 1.0, "cosine " + m.cosine());
    }

    @Test
    void maxAbsoluteAndRelativeErrors() {
        Metrics m = Metrics.of(new float[] {1f, -2f, 0f, 4f}, new float[] {1.1f, -2f, 0.5f, 3f});
        assertEquals(1.0, m.maxAbsError(), 1e-6);
        assertEquals(0.4, m.meanAbsError(), 1e-6);
        assertEquals(0.25, m.maxRelError(), 1e-6, "the largest error over the reference's largest magnitude, 4");
        assertEquals(Double.POSITIVE_INFINITY, Metrics.of(new float[] {0f, 0f}, new float[] {0f, 1f}).maxRelError());
        assertEquals(0.0, Metrics.of(new float[] {0f, 0f}, new float[] {0f, 0f}).maxRelError());
    }

    @Test
    void perSampleCosineIsAveragedAndItsWorstKept() {
        MetricsAccumulator acc = new MetricsAccumulator();
        acc.add(new float[] {1f, 0f}, new float[] {1f, 0f}); // cosine 1
        acc.add(new float[] {1f, 0f}, new float[] {0f, 1f}); // cosine 0
        acc.add(new float[] {3f, 4f}, new float[] {3f, 4f}); // cosine 1
        Metrics m = acc.result();
        assertEquals(3, m.samples());
        assertEquals(2.0 / 3, m.sampleCosineMean(), 1e-12);
        assertEquals(0.0, m.sampleCosineMin(), 1e-12);
        // pooled over all six elements: (1 + 0 + 25) / (sqrt(27) * sqrt(27))
        assertEquals(26.0 / 27, m.cosine(), 1e-12);
    }

    @Test
    void batchesAggregateAsIfConcatenated() {
        Random r = new Random(6);
        float[] x = new float[1000];
        float[] y = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = x[i] + (float) (0.1 * r.nextGaussian()) + (i < 500 ? 0.2f : 0f);
        }
        Metrics whole = Metrics.ofRows(x, y, 10);
        MetricsAccumulator acc = new MetricsAccumulator();
        acc.addRows(java.util.Arrays.copyOfRange(x, 0, 300), java.util.Arrays.copyOfRange(y, 0, 300), 10);
        acc.addRows(java.util.Arrays.copyOfRange(x, 300, 1000), java.util.Arrays.copyOfRange(y, 300, 1000), 10);
        Metrics parts = acc.result();
        assertEquals(whole.cosine(), parts.cosine(), 1e-12);
        assertEquals(whole.sqnrDb(), parts.sqnrDb(), 1e-9);
        assertEquals(whole.maxAbsError(), parts.maxAbsError());
        assertEquals(whole.maxRelError(), parts.maxRelError());
        assertEquals(100, parts.rows());
        assertEquals(whole.top1Agreement(), parts.top1Agreement());
        // a biased half is worse than the unbiased half
        Metrics biased = Metrics.of(java.util.Arrays.copyOfRange(x, 0, 500), java.util.Arrays.copyOfRange(y, 0, 500));
        Metrics clean = Metrics.of(java.util.Arrays.copyOfRange(x, 500, 1000), java.util.Arrays.copyOfRange(y, 500, 1000));
        assertTrue(biased.sqnrDb() < clean.sqnrDb());
    }

    @Test
    void top1AgreementOverRows() {
        Tensor ref = Tensor.ofFloats(new long[] {3, 3}, new float[] {1f, 3f, 2f, 5f, 1f, 0f, 2f, 2f, 1f});
        Tensor cand = Tensor.ofFloats(new long[] {3, 3}, new float[] {1f, 2f, 3f, 4f, 1f, 0f, 2f, 1.5f, 2f});
        MetricsAccumulator acc = new MetricsAccumulator();
        acc.addRows(ref, cand);
        Metrics m = acc.result();
        assertEquals(3, m.rows());
        // row 0 differs (1 vs 2); row 1 agrees; row 2: the reference's tie goes to the first index, 0 = 0
        assertEquals(2.0 / 3, m.top1Agreement().getAsDouble(), 1e-12);
    }

    @Test
    void nanPoisonsTheMetricsAndTheRow() {
        Metrics m = Metrics.ofRows(new float[] {1f, 2f, 3f, 4f}, new float[] {1f, Float.NaN, 3f, 4f}, 2);
        assertTrue(Double.isNaN(m.cosine()));
        assertTrue(Double.isNaN(m.sqnrDb()));
        assertTrue(Double.isNaN(m.maxAbsError()));
        assertFalse(m.cosine() >= 0.99, "a NaN never passes a gate");
        assertEquals(0.5, m.top1Agreement().getAsDouble());
    }

    @Test
    void mismatchesAndEmptyResultsAreRejected() {
        MetricsAccumulator acc = new MetricsAccumulator();
        IllegalStateException empty = assertThrows(IllegalStateException.class, acc::result);
        assertTrue(empty.getMessage().contains("no outputs"), empty.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> acc.add(new float[3], new float[2]));
        assertTrue(e.getMessage().contains("2 values") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> acc.addRows(new float[10], new float[10], 3));
        assertTrue(e.getMessage().contains("row length 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> acc.add(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertEquals(0, acc.elements());
    }
}
