package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibratorTest {
    private static float[] gaussian(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static Histogram histogramOf(float[]... chunks) {
        Histogram h = new Histogram();
        for (float[] c : chunks) {
            h.add(c);
        }
        return h;
    }

    @Test
    void minMaxIsTheExactAbsoluteMaximumFromHistogramOrRunningRange() {
        float[] a = {0.5f, -3.25f, 1f};
        float[] b = {2.75f, -1f};
        Histogram h = histogramOf(a, b);
        CalibratedRange fromHistogram = new Calibrator.MinMax().calibrate(h);
        RunningRange r = new RunningRange();
        r.add(a);
        r.add(b);
        CalibratedRange fromRange = new Calibrator.MinMax().calibrate(r);
        assertEquals(3.25f, fromHistogram.amax());
        assertEquals(-3.25f, fromHistogram.min());
        assertEquals(2.75f, fromHistogram.max());
        assertEquals(fromHistogram, fromRange);
        assertEquals(CalibrationMethod.MINMAX, fromRange.method());
        assertEquals(3.25f / 127, fromRange.symmetricInt8().scale());
    }

    @Test
    void percentileOfAUniformDistributionIsKnownAnalytically() {
        int n = 1_000_000;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i + 1f) / n; // uniform on (0, 1]
        }
        Histogram h = histogramOf(v);
        double width = 1.0 / 2048;
        float p9999 = new Calibrator.Percentile().calibrate(h).amax();
        assertTrue(p9999 >= 0.9999f && p9999 <= 0.9999 + width, "99.99th percentile " + p9999);
        float median = new Calibrator.Percentile(50).calibrate(h).amax();
        assertTrue(median >= 0.5f && median <= 0.5 + width, "median " + median);
        float p90 = new Calibrator.Percentile(90).calibrate(h).amax();
        assertEquals(0.9, p90, width);
    }

    @Test
    void percentileHundredIsTheMaximumAndResultsNeverExceedIt() {
        Histogram h = histogramOf(new float[] {0.1f, 0.2f, 0.3f});
        h.add(new float[] {0.7f}); // grows: the top edge may now pass 0.7
        assertEquals(0.7f, new Calibrator.Percentile(100).calibrate(h).amax());
        assertThrows(IllegalArgumentException.class, () -> new Calibrator.Percentile(0));
        assertThrows(IllegalArgumentException.class, () -> new Calibrator.Percentile(100.5));
    }

    @Test
    void entropyOfMassInAFewBinsStopsWhereUnequalBinsStartToMerge() {
        long[] counts = new long[2048];
        counts[0] = 7;
        counts[1] = 100;
        counts[2] = 50;
        double w = 1.0 / 2048;
        // observed max at the top edge: only the clip to the max is tested away here
        Histogram h = Histogram.ofCounts(counts, w, 0f, 1f);
        // bin 0 counts as bin 1 (100). Up to 256 candidate bins a level holds at most two bins, so
        // only the equal bins 0 and 1 share a level: KL = 0, and the last minimum is 256. Past 256
        // level 0 spans bins 0..2 and merges the unequal 100 and 50: KL > 0.
        assertEquals((float) (256 * w), new Calibrator.Entropy(1, false).calibrate(h).amax());
    }

    @Test
    void entropyIsClippedToTheObservedMaximum() {
        long[] counts = new long[2048];
        counts[0] = 100;
        counts[1] = 50;
        counts[2] = 25;
        double w = 1.0 / 2048;
        Histogram h = Histogram.ofCounts(counts, w, 0f, (float) (3 * w));
        assertEquals((float) (3 * w), new Calibrator.Entropy().calibrate(h).amax());
    }

    @Test
    void entropyKeepsTheFullRangeWhenAnOutlierWouldBeFoldedIntoAnEmptyBin() {
        long[] counts = new long[2048];
        counts[0] = 100;
        counts[1] = 50;
        counts[2] = 25;
        counts[2047] = 1;
        Histogram h = Histogram.ofCounts(counts, 1.0 / 2048, 0f, 1f);
        // P(i-1) > 0 = Q(i-1) for every i < 2048: infinite divergence
        assertEquals(1f, new Calibrator.Entropy(1, false).calibrate(h).amax());
    }

    @Test
    void entropyTiesPickTheLastMinimum() {
        long[] counts = new long[2048];
        counts[0] = 10;
        Histogram h = Histogram.ofCounts(counts, 0.5, 0f, 1024f);
        assertEquals(1024f, new Calibrator.Entropy(1, false).calibrate(h).amax());
    }

    @Test
    void entropyOfAGaussianSampleLiesBetweenThreeAndAHalfSigmaAndTheMax() {
        Histogram h = histogramOf(gaussian(11, 500_000), gaussian(12, 500_000));
        CalibratedRange r = new Calibrator.Entropy().calibrate(h);
        assertEquals(CalibrationMethod.ENTROPY, r.method());
        assertTrue(r.amax() >= 3.5f && r.amax() <= h.absMax(), "entropy amax " + r.amax() + ", max " + h.absMax());
    }

    @Test
    void entropyClipsAFarOutlierThatMinMaxKeeps() {
        float[] g = gaussian(5, 1_000_000);
        Histogram h = histogramOf(g, new float[] {50f});
        float entropy = new Calibrator.Entropy().calibrate(h).amax();
        assertEquals(50f, new Calibrator.MinMax().calibrate(h).amax());
        assertTrue(entropy > 3f && entropy < 6f, "entropy amax " + entropy);
    }

    @Test
    void entropyFallsBackToThePercentileOnANearZeroSpike() {
        float[] g = gaussian(7, 200_000);
        float[] spike = new float[800_000];
        float top = 0;
        for (float v : g) {
            top = Math.max(top, Math.abs(v));
        }
        for (int i = 0; i < spike.length; i++) {
            spike[i] = (i % 4 + 0.5f) * top / 2048; // bins 0..3: not removed by the bin-0 step
        }
        Histogram h = histogramOf(g, spike);
        CalibratedRange raw = new Calibrator.Entropy(1, false).calibrate(h);
        CalibratedRange guarded = new Calibrator.Entropy().calibrate(h);
        float percentile = new Calibrator.Percentile().calibrate(h).amax();
        assertEquals(CalibrationMethod.ENTROPY, raw.method());
        assertTrue(raw.amax() < 0.5f * percentile, "raw entropy " + raw.amax() + " vs percentile " + percentile);
        assertEquals(CalibrationMethod.PERCENTILE, guarded.method());
        assertEquals(percentile, guarded.amax());
    }

    @Test
    void entropyIgnoresAMassOfExactZerosAsPytorchQuantizationDoes() {
        // ReLU-like: 90% exact zeros, the rest |N(0,1)|
        float[] g = gaussian(21, 200_000);
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.abs(g[i]);
        }
        float[] zeros = new float[1_800_000];
        Histogram relu = histogramOf(g, zeros);
        Histogram positives = histogramOf(g);
        Calibrator.Entropy raw = new Calibrator.Entropy(1, false);
        float withZeros = raw.calibrate(relu).amax();
        // bin 0 counts as bin 1, so the zeros change nothing
        assertEquals(raw.calibrate(positives).amax(), withZeros);
        assertTrue(withZeros > 3f, "entropy amax of a ReLU-like tensor " + withZeros);
        // without the step the zero spike drags the threshold far down
        long[] c = relu.counts();
        float naive = (float) relu.edge(NaiveEntropy.bestEdgeIndex(c));
        assertTrue(naive < 0.5f * withZeros, "naive amax " + naive + " vs " + withZeros);
    }

    /** The entropy search with bin 0 left as counted (no pytorch-quantization step). */
    private static final class NaiveEntropy {
        static int bestEdgeIndex(long[] bins) {
            long[] mass = new long[bins.length + 1];
            int[] nonEmpty = new int[bins.length + 1];
            double[] massLogMass = new double[bins.length + 1];
            for (int j = 0; j < bins.length; j++) {
                mass[j + 1] = mass[j] + bins[j];
                nonEmpty[j + 1] = nonEmpty[j] + (bins[j] != 0 ? 1 : 0);
                massLogMass[j + 1] = massLogMass[j] + (bins[j] != 0 ? bins[j] * Math.log(bins[j]) : 0);
            }
            double best = Double.POSITIVE_INFINITY;
            int bestI = bins.length;
            for (int i = 128; i <= bins.length; i++) {
                double kl = Calibrator.Entropy.divergence(bins, i, mass, nonEmpty, massLogMass);
                if (kl <= best) {
                    best = kl;
                    bestI = i;
                }
            }
            return bestI;
        }
    }

    @Test
    void entropyMatchesAStraightforwardReferenceOnRandomHistograms() {
        Random r = new Random(99);
        for (int trial = 0; trial < 25; trial++) {
            int n = 128 + r.nextInt(300);
            long[] counts = new long[n];
            for (int i = 0; i < n; i++) {
                counts[i] = r.nextInt(4) == 0 ? 0 : (long) (1000 * Math.exp(-i / (20.0 + r.nextInt(80))) * r.nextDouble());
            }
            counts[n - 1] += 1;
            Histogram h = Histogram.ofCounts(counts, 1.0, 0f, n);
            for (int stride : new int[] {1, 3}) {
                int expected = ReferenceEntropy.bestEdgeIndex(counts, stride);
                float amax = new Calibrator.Entropy(stride, false).calibrate(h).amax();
                assertEquals((float) expected, amax, "trial " + trial + ", stride " + stride);
            }
        }
    }

    @Test
    void allZeroTensorsCalibrateToZeroAndScaleOne() {
        Histogram h = histogramOf(new float[10]);
        for (CalibrationMethod m : CalibrationMethod.values()) {
            CalibratedRange r = Calibrator.of(m).calibrate(h);
            assertEquals(0f, r.amax(), m.cliName());
            assertEquals(new QuantParams(1f, 0, QuantType.INT8), r.symmetricInt8());
        }
    }

    @Test
    void emptyHistogramCannotBeCalibrated() {
        Histogram h = new Histogram();
        h.add(new float[] {Float.NaN});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Calibrator.Entropy().calibrate(h));
        assertTrue(e.getMessage().contains("1 NaN"), e.getMessage());
    }

    @Test
    void methodsParseFromTheirCliNames() {
        assertInstanceOf(Calibrator.MinMax.class, Calibrator.of(CalibrationMethod.fromCliName("minmax")));
        assertEquals(new Calibrator.Percentile(99.99), Calibrator.of(CalibrationMethod.fromCliName("Percentile")));
        assertEquals(new Calibrator.Entropy(1, true), Calibrator.of(CalibrationMethod.fromCliName("entropy")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CalibrationMethod.fromCliName("kl"));
        assertTrue(e.getMessage().contains("'kl'") && e.getMessage().contains("minmax, percentile, entropy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Calibrator.Entropy(0, true));
    }

    /** The doc's steps written out literally with explicit arrays, to check the optimised search. */
    private static final class ReferenceEntropy {
        static int bestEdgeIndex(long[] counts, int stride) {
            long[] bins = counts.clone();
            bins[0] = bins[1];
            double best = Double.POSITIVE_INFINITY;
            int bestI = -1;
            for (int i = 128; i <= bins.length; i += stride) {
                double[] p = new double[i];
                for (int j = 0; j < i; j++) {
                    p[j] = bins[j];
                }
                for (int j = i; j < bins.length; j++) {
                    p[i - 1] += bins[j];
                }
                double[] q = new double[i];
                double binsPerLevel = i / 128.0;
                for (int level = 0; level < 128; level++) {
                    int from = (int) Math.ceil(level * binsPerLevel);
                    int to = (int) Math.ceil((level + 1) * binsPerLevel);
                    double sum = 0;
                    int nonEmpty = 0;
                    for (int j = from; j < to; j++) {
                        sum += bins[j];
                        nonEmpty += bins[j] != 0 ? 1 : 0;
                    }
                    for (int j = from; j < to; j++) {
                        q[j] = bins[j] != 0 ? sum / nonEmpty : 0;
                    }
                }
                normalise(p);
                normalise(q);
                double kl = 0;
                for (int j = 0; j < i; j++) {
                    if (p[j] > 0) {
                        kl += q[j] == 0 ? Double.POSITIVE_INFINITY : p[j] * Math.log(p[j] / q[j]);
                    }
                }
                if (kl <= best) {
                    best = kl;
                    bestI = i;
                }
            }
            return bestI;
        }

        private static void normalise(double[] d) {
            double s = 0;
            for (double v : d) {
                s += v;
            }
            for (int j = 0; j < d.length; j++) {
                d[j] /= s;
            }
        }
    }
}
