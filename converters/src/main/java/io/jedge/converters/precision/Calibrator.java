package io.jedge.converters.precision;

/**
 * Chooses an activation's clipping threshold (amax) from its {@link Histogram}
 * (quantization.md §6.2). Implementations are immutable values, safe to share between threads.
 *
 * <pre>{@code
 * Calibrator c = Calibrator.of(CalibrationMethod.fromCliName("entropy"));
 * QuantParams p = c.calibrate(histogram).symmetricInt8();
 * }</pre>
 */
public sealed interface Calibrator permits Calibrator.MinMax, Calibrator.Percentile, Calibrator.Entropy {
    /** The percentile used by {@link Percentile#Percentile()} and by the entropy fallback. */
    double DEFAULT_PERCENTILE = 99.99;

    /** The method this calibrator implements. */
    CalibrationMethod method();

    /**
     * Computes the threshold; the result is clipped to the observed |x| maximum.
     *
     * @throws IllegalStateException if the histogram holds no finite value
     */
    CalibratedRange calibrate(Histogram histogram);

    /** The calibrator for {@code method} with its defaults. */
    static Calibrator of(CalibrationMethod method) {
        return switch (method) {
            case MINMAX -> new MinMax();
            case PERCENTILE -> new Percentile();
            case ENTROPY -> new Entropy();
        };
    }

    /** amax = the largest absolute value seen (ORT MinMax with symmetric activations). */
    record MinMax() implements Calibrator {
        @Override
        public CalibrationMethod method() {
            return CalibrationMethod.MINMAX;
        }

        @Override
        public CalibratedRange calibrate(Histogram histogram) {
            requireData(histogram);
            return new CalibratedRange(histogram.absMax(), histogram.min(), histogram.max(), CalibrationMethod.MINMAX);
        }

        /** The same rule from running statistics alone, when no histogram was kept. */
        public CalibratedRange calibrate(RunningRange range) {
            if (range.isEmpty()) {
                throw new IllegalStateException("cannot calibrate: no finite value was collected ("
                        + range.nonFiniteCount() + " NaN/infinite values skipped)");
            }
            return new CalibratedRange(range.absMax(), range.min(), range.max(), CalibrationMethod.MINMAX);
        }
    }

    /**
     * amax = the smallest bin edge at which the |x| CDF reaches {@code percent}, clipped to the
     * observed maximum. (ORT and pytorch-quantization return the edge one bin lower, where the CDF
     * has not yet reached it; the difference is one bin width.)
     *
     * @param percent in {@code (0, 100]}
     */
    record Percentile(double percent) implements Calibrator {
        public Percentile {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("percentile " + percent + ", expected in (0, 100]");
            }
        }

        /** The NVIDIA default, 99.99. */
        public Percentile() {
            this(DEFAULT_PERCENTILE);
        }

        @Override
        public CalibrationMethod method() {
            return CalibrationMethod.PERCENTILE;
        }

        @Override
        public CalibratedRange calibrate(Histogram histogram) {
            requireData(histogram);
            return range(histogram, amax(histogram), CalibrationMethod.PERCENTILE);
        }

        float amax(Histogram h) {
            long[] c = h.rawCounts();
            if (c.length == 0) {
                return 0f;
            }
            long total = 0;
            for (long v : c) {
                total += v;
            }
            double target = percent / 100.0 * total;
            long cum = 0;
            int k = c.length;
            for (int i = 0; i < c.length; i++) {
                cum += c[i];
                if (cum >= target) {
                    k = i + 1;
                    break;
                }
            }
            return clip(h.edge(k), h);
        }
    }

    /**
     * KL-divergence calibration, the TensorRT / pytorch-quantization variant on |x|
     * (quantization.md §6.2). For every candidate edge index {@code i} from 128 to the bin count
     * (step {@code stride}): P is the first {@code i} bins with the mass of bins {@code >= i}
     * folded into bin {@code i − 1}; Q quantizes the first {@code i} raw bins into 128 levels and
     * spreads each level's mass evenly over its non-empty bins (empty bins stay 0 in Q); both are
     * normalised and {@code KL(P‖Q) = Σ p·ln(p/q)} over {@code p > 0} is computed, infinite where
     * {@code p > 0 = q}. No smoothing is applied. The <em>last</em> minimum wins and
     * {@code amax = edge[i]}, clipped to the observed maximum.
     *
     * <p>With {@code percentileFallback}, an amax below half the 99.99-percentile amax (a
     * degenerate histogram) is replaced by that percentile amax, and the result reports
     * {@link CalibrationMethod#PERCENTILE}. The search costs O(bins²) per tensor at stride 1.
     *
     * @param stride candidate step, {@code >= 1}
     * @param percentileFallback apply the fallback rule above
     */
    record Entropy(int stride, boolean percentileFallback) implements Calibrator {
        /** Quantized magnitude levels of signed int8: 2^(8−1). */
        public static final int QUANTIZED_BINS = 128;

        public Entropy {
            if (stride < 1) {
                throw new IllegalArgumentException("entropy stride " + stride + ", expected >= 1");
            }
        }

        /** Stride 1 with the percentile fallback: the defaults for ViT GEMM/Conv inputs. */
        public Entropy() {
            this(1, true);
        }

        @Override
        public CalibrationMethod method() {
            return CalibrationMethod.ENTROPY;
        }

        @Override
        public CalibratedRange calibrate(Histogram histogram) {
            requireData(histogram);
            float amax = amax(histogram);
            if (percentileFallback) {
                float p = new Percentile(DEFAULT_PERCENTILE).amax(histogram);
                if (amax < 0.5f * p) {
                    return range(histogram, p, CalibrationMethod.PERCENTILE);
                }
            }
            return range(histogram, amax, CalibrationMethod.ENTROPY);
        }

        float amax(Histogram h) {
            long[] bins = h.rawCounts();
            int n = bins.length;
            if (n == 0) {
                return 0f;
            }
            if (n < QUANTIZED_BINS) {
                throw new IllegalArgumentException("entropy calibration needs at least " + QUANTIZED_BINS
                        + " histogram bins, found " + n);
            }
            // suffix[i] = mass of bins >= i
            long[] suffix = new long[n + 1];
            for (int i = n - 1; i >= 0; i--) {
                suffix[i] = suffix[i + 1] + bins[i];
            }
            double[] levelMass = new double[QUANTIZED_BINS];
            int[] levelNonEmpty = new int[QUANTIZED_BINS];
            double best = Double.POSITIVE_INFINITY;
            int bestI = n;
            for (int i = QUANTIZED_BINS; i <= n; i += stride) {
                double kl = divergence(bins, i, suffix, levelMass, levelNonEmpty);
                if (kl <= best) {
                    best = kl;
                    bestI = i;
                }
            }
            return clip(h.edge(bestI), h);
        }

        /** KL(P‖Q) for candidate {@code i}; arrays are scratch space. */
        static double divergence(long[] bins, int i, long[] suffix, double[] levelMass, int[] levelNonEmpty) {
            java.util.Arrays.fill(levelMass, 0);
            java.util.Arrays.fill(levelNonEmpty, 0);
            for (int j = 0; j < i; j++) {
                if (bins[j] != 0) {
                    int level = (int) ((long) j * QUANTIZED_BINS / i);
                    levelMass[level] += bins[j];
                    levelNonEmpty[level]++;
                }
            }
            // Q's mass is that of the first i raw bins; P's adds the outliers folded into bin i-1.
            double totalQ = suffix[0] - suffix[i];
            double totalP = suffix[0];
            if (totalQ == 0) {
                return Double.POSITIVE_INFINITY;
            }
            double kl = 0;
            for (int j = 0; j < i; j++) {
                double p = bins[j];
                if (j == i - 1) {
                    p += suffix[i];
                }
                if (p == 0) {
                    continue;
                }
                p /= totalP;
                if (bins[j] == 0) {
                    return Double.POSITIVE_INFINITY;
                }
                int level = (int) ((long) j * QUANTIZED_BINS / i);
                double q = levelMass[level] / levelNonEmpty[level] / totalQ;
                kl += p * Math.log(p / q);
            }
            return kl;
        }
    }

    private static void requireData(Histogram h) {
        if (h.isEmpty()) {
            throw new IllegalStateException("cannot calibrate " + h + ": no finite value was collected ("
                    + h.nonFiniteCount() + " NaN/infinite values skipped)");
        }
    }

    private static float clip(double edge, Histogram h) {
        return (float) Math.min(edge, h.absMax());
    }

    private static CalibratedRange range(Histogram h, float amax, CalibrationMethod method) {
        return new CalibratedRange(amax, h.min(), h.max(), method);
    }
}
