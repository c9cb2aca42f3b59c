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
     * {@code amax = edge[i]}, clipped to the observed maximum. Before the search the count of bin 0
     * is set to that of bin 1, as pytorch-quantization does, so a mass of exact zeros (ReLU-like
     * tensors) does not shrink the threshold.
     *
     * <p>With {@code percentileFallback}, an amax below half the 99.99-percentile amax (a
     * degenerate histogram) is replaced by that percentile amax, and the result reports
     * {@link CalibrationMethod#PERCENTILE}. Prefix sums make each candidate cost O(128), so a search
     * over the 16384-bin cap takes milliseconds.
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
            long[] raw = h.rawCounts();
            int n = raw.length;
            if (n == 0) {
                return 0f;
            }
            if (n < QUANTIZED_BINS) {
                throw new IllegalArgumentException("entropy calibration needs at least " + QUANTIZED_BINS
                        + " histogram bins, found " + n);
            }
            // pytorch-quantization's step: exact zeros (post-ReLU/GELU tensors) would dominate P and
            // pull the KL optimum to a far too small amax, so bin 0 counts as much as bin 1
            long[] bins = raw.clone();
            bins[0] = bins[1];
            // Prefix sums make each candidate O(128): per level, sum b, non-empty count, sum b·ln b.
            long[] mass = new long[n + 1];
            int[] nonEmpty = new int[n + 1];
            double[] massLogMass = new double[n + 1];
            for (int j = 0; j < n; j++) {
                long b = bins[j];
                mass[j + 1] = mass[j] + b;
                nonEmpty[j + 1] = nonEmpty[j] + (b != 0 ? 1 : 0);
                massLogMass[j + 1] = massLogMass[j] + (b != 0 ? b * Math.log(b) : 0);
            }
            double best = Double.POSITIVE_INFINITY;
            int bestI = n;
            for (int i = QUANTIZED_BINS; i <= n; i += stride) {
                double kl = divergence(bins, i, mass, nonEmpty, massLogMass);
                if (kl <= best) {
                    best = kl;
                    bestI = i;
                }
            }
            return clip(h.edge(bestI), h);
        }

        /**
         * KL(P‖Q) for candidate {@code i}. Over level l's non-empty bins (mass M, count c, Σ b·ln b
         * = BL) with q = M / (c·TQ): Σ (b/T)·ln((b/T)/q) = (BL − M·ln T − M·ln q) / T. Bin i−1 (always
         * in the last level) is then corrected for the outlier mass folded into P.
         */
        static double divergence(long[] bins, int i, long[] mass, int[] nonEmpty, double[] massLogMass) {
            int n = bins.length;
            double total = mass[n];
            double totalQ = mass[i];
            long outliers = mass[n] - mass[i];
            long lastBin = bins[i - 1];
            if (totalQ == 0 || outliers > 0 && lastBin == 0) {
                return Double.POSITIVE_INFINITY;
            }
            double logTotal = Math.log(total);
            double sum = 0;
            double lastQ = 0;
            for (int level = 0; level < QUANTIZED_BINS; level++) {
                int from = (int) (((long) level * i + QUANTIZED_BINS - 1) / QUANTIZED_BINS);
                int to = (int) (((long) (level + 1) * i + QUANTIZED_BINS - 1) / QUANTIZED_BINS);
                int c = nonEmpty[to] - nonEmpty[from];
                if (c == 0) {
                    continue;
                }
                double m = mass[to] - mass[from];
                double q = m / c / totalQ;
                sum += massLogMass[to] - massLogMass[from] - m * logTotal - m * Math.log(q);
                lastQ = q;
            }
            double kl = sum / total;
            if (outliers > 0) {
                double before = lastBin / total;
                double after = (lastBin + outliers) / total;
                kl += after * Math.log(after / lastQ) - before * Math.log(before / lastQ);
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
