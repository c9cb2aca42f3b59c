package io.jedge.converters.precision;

/**
 * Streaming histogram of absolute values {@code |x|} over {@code [0, binCount·binWidth]}, fed one
 * tensor (or chunk) at a time, as calibration needs (quantization.md §6.2).
 *
 * <p>The first non-zero chunk fixes the bin width: {@code initialBins} bins over
 * {@code [0, absmax of that chunk]}. A later chunk with a larger absolute value grows the histogram
 * with more bins of the <em>same</em> width, so earlier counts stay where they are (the scheme of
 * TensorRT's pytorch-quantization histogram calibrator and ONNX Runtime's percentile calibrator).
 * To bound memory, when growing would exceed {@code maxBins} adjacent bins are merged in pairs
 * (the width doubles) as often as needed; counts are always preserved and the histogram never
 * holds fewer than {@code initialBins} bins once it has a range. Zeros seen before any non-zero
 * value are kept and land in bin 0 when the range is fixed.
 *
 * <p>A value equal to the top edge falls into the last bin. NaN and infinite values are skipped and
 * counted in {@link #nonFiniteCount()}. Also tracks the signed running min/max, which asymmetric
 * (uint8) ranges need. Not thread-safe: use one histogram per tensor per calibration thread.
 *
 * <pre>{@code
 * Histogram h = new Histogram();
 * for (float[] batchOutput : outputsOfOneTensor) {
 *     h.add(batchOutput);
 * }
 * CalibratedRange r = Calibrator.of(CalibrationMethod.ENTROPY).calibrate(h);
 * }</pre>
 */
public final class Histogram {
    /** Bins laid over the first range (the TensorRT/ORT calibrators' 2048). */
    public static final int DEFAULT_BINS = 2048;
    /** Bin count above which growth merges bins in pairs: 8 × {@link #DEFAULT_BINS}. */
    public static final int DEFAULT_MAX_BINS = 8 * DEFAULT_BINS;
    /** Fewest bins allowed; the entropy search needs at least 128 (one per int8 magnitude level). */
    public static final int MIN_BINS = 128;

    private final int initialBins;
    private final int maxBins;
    private RunningRange range;
    private boolean frozen;
    private long[] counts;
    private double width;
    private long pendingZeros;

    /** A histogram with {@link #DEFAULT_BINS} initial bins growing up to {@link #DEFAULT_MAX_BINS}. */
    public Histogram() {
        this(DEFAULT_BINS, DEFAULT_MAX_BINS);
    }

    /**
     * @param initialBins bins over the first range, at least {@link #MIN_BINS}
     * @param maxBins growth cap, at least {@code 2 × initialBins} so merging never drops below
     *     {@code initialBins}
     */
    public Histogram(int initialBins, int maxBins) {
        if (initialBins < MIN_BINS) {
            throw new IllegalArgumentException("histogram initialBins " + initialBins + ", expected at least " + MIN_BINS);
        }
        if (maxBins / 2 < initialBins) {
            throw new IllegalArgumentException("histogram maxBins " + maxBins + ", expected at least 2 × initialBins = "
                    + 2L * initialBins);
        }
        this.initialBins = initialBins;
        this.maxBins = maxBins;
        this.range = new RunningRange();
    }

    /** Rebuilds a histogram from stored counts (tests, reuse of calibration statistics). */
    static Histogram ofCounts(long[] counts, double binWidth, float min, float max) {
        if (!(binWidth > 0) || Double.isInfinite(binWidth)) {
            throw new IllegalArgumentException("histogram bin width " + binWidth + ", expected a positive finite number");
        }
        if (counts.length < MIN_BINS) {
            throw new IllegalArgumentException("histogram of " + counts.length + " bins, expected at least " + MIN_BINS);
        }
        float absMax = Math.max(Math.abs(min), Math.abs(max));
        if (min > max || absMax > counts.length * binWidth * (1 + 1e-6)) {
            throw new IllegalArgumentException("histogram range [" + min + ", " + max + "], expected min <= max and |x| <= top edge "
                    + counts.length * binWidth);
        }
        Histogram h = new Histogram(Math.max(MIN_BINS, counts.length / 2), Math.max(2 * MIN_BINS, counts.length));
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("histogram count " + c + ", expected >= 0");
            }
            total += c;
        }
        h.counts = counts.clone();
        h.width = binWidth;
        h.range = RunningRange.of(min, max, total);
        h.frozen = true;
        return h;
    }

    /** Adds every value of {@code values}. */
    public void add(float[] values) {
        add(values, 0, values.length);
    }

    /** Adds {@code values[offset, offset + length)}. */
    public void add(float[] values, int offset, int length) {
        if (frozen) {
            throw new IllegalStateException("histogram rebuilt from stored counts cannot take new values");
        }
        RunningRange.checkSlice(values, offset, length);
        range.add(values, offset, length);
        if (range.isEmpty()) {
            return;
        }
        float absMax = range.absMax();
        if (counts == null) {
            if (absMax == 0f) {
                pendingZeros = range.count();
                return;
            }
            width = (double) absMax / initialBins;
            counts = new long[initialBins];
            counts[0] = pendingZeros;
            pendingZeros = 0;
        } else if (absMax > counts.length * width) {
            grow(absMax);
        }
        long[] c = counts;
        int last = c.length - 1;
        double inv = 1.0 / width;
        for (int i = offset, end = offset + length; i < end; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                continue;
            }
            int bin = (int) (Math.abs(v) * inv);
            c[bin > last ? last : bin]++;
        }
    }

    private void grow(float absMax) {
        int shift = 0;
        double w = width;
        while (Math.ceil(absMax / w) > maxBins) {
            w *= 2;
            shift++;
        }
        int n = (int) Math.ceil(absMax / w);
        long[] grown = new long[n];
        int s = Math.min(shift, 62);
        for (int j = 0; j < counts.length; j++) {
            int to = (int) Math.min((long) j >> s, n - 1);
            grown[to] += counts[j];
        }
        counts = grown;
        width = w;
    }

    /** Number of bins; 0 while only zeros (or nothing) have been seen. */
    public int binCount() {
        return counts == null ? 0 : counts.length;
    }

    /** Width of every bin; 0 while the histogram has no range yet. */
    public double binWidth() {
        return width;
    }

    /** Lower edge of bin {@code i}, or the top edge for {@code i == binCount()}. */
    public double edge(int i) {
        if (i < 0 || i > binCount()) {
            throw new IndexOutOfBoundsException("histogram edge " + i + ", expected 0.." + binCount());
        }
        return i * width;
    }

    /** Count of bin {@code i}. */
    public long count(int i) {
        if (i < 0 || i >= binCount()) {
            throw new IndexOutOfBoundsException("histogram bin " + i + ", expected 0.." + (binCount() - 1));
        }
        return counts[i];
    }

    /** A copy of the bin counts. */
    public long[] counts() {
        return counts == null ? new long[0] : counts.clone();
    }

    /** Number of finite values added (zeros seen before the range was fixed included). */
    public long totalCount() {
        return range.count();
    }

    /** Number of NaN or infinite values skipped. */
    public long nonFiniteCount() {
        return range.nonFiniteCount();
    }

    /** Whether no finite value has been added. */
    public boolean isEmpty() {
        return range.isEmpty();
    }

    /** Smallest (signed) finite value added; throws if empty. */
    public float min() {
        return range.min();
    }

    /** Largest (signed) finite value added; throws if empty. */
    public float max() {
        return range.max();
    }

    /** Largest absolute finite value added; throws if empty. */
    public float absMax() {
        return range.absMax();
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "Histogram[empty]";
        }
        return "Histogram[bins=" + binCount() + ", width=" + width + ", total=" + totalCount()
                + ", min=" + min() + ", max=" + max() + "]";
    }

    long[] rawCounts() {
        return counts == null ? new long[0] : counts;
    }
}
