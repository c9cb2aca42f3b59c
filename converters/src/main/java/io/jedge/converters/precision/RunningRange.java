package io.jedge.converters.precision;

/**
 * Running minimum, maximum and absolute maximum of every finite value seen so far, merged as a
 * plain global min/max over all chunks (no moving average).
 *
 * <p>NaN and infinite values are not folded into the range; they are counted in
 * {@link #nonFiniteCount()} so a caller can reject a tensor that produced them. Not thread-safe.
 */
public final class RunningRange {
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long count;
    private long nonFinite;

    /** Folds every value of {@code values} into the range. */
    public void add(float[] values) {
        add(values, 0, values.length);
    }

    /** Folds {@code values[offset, offset + length)} into the range. */
    public void add(float[] values, int offset, int length) {
        checkSlice(values, offset, length);
        float lo = min;
        float hi = max;
        long bad = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                bad++;
                continue;
            }
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        min = lo;
        max = hi;
        nonFinite += bad;
        count += length - bad;
    }

    /** Number of finite values folded in. */
    public long count() {
        return count;
    }

    /** Number of NaN or infinite values seen and left out of the range. */
    public long nonFiniteCount() {
        return nonFinite;
    }

    /** Whether no finite value has been seen yet. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** Smallest finite value seen; throws if empty. */
    public float min() {
        requireData();
        return min;
    }

    /** Largest finite value seen; throws if empty. */
    public float max() {
        requireData();
        return max;
    }

    /** {@code max(|min|, |max|)}; throws if empty. */
    public float absMax() {
        requireData();
        return Math.max(Math.abs(min), Math.abs(max));
    }

    private void requireData() {
        if (count == 0) {
            throw new IllegalStateException("running range is empty: no finite value has been added"
                    + (nonFinite > 0 ? " (" + nonFinite + " NaN/infinite values were skipped)" : ""));
        }
    }

    /** A range with known extremes, for histograms rebuilt from stored counts. */
    static RunningRange of(float min, float max, long count) {
        RunningRange r = new RunningRange();
        if (count > 0) {
            r.min = min;
            r.max = max;
            r.count = count;
        }
        return r;
    }

    static void checkSlice(float[] values, int offset, int length) {
        if (offset < 0 || length < 0 || offset > values.length - length) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + offset + "+" + length
                    + ") outside an array of " + values.length + " values");
        }
    }

    @Override
    public String toString() {
        return count == 0 ? "RunningRange[empty]" : "RunningRange[min=" + min + ", max=" + max + ", count=" + count + "]";
    }
}
