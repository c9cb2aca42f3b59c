package io.jedge.converters.precision;

import io.jedge.sdk.Tensor;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Accumulates {@link AccuracyMetrics} over batches: cosine and SQNR are computed from sums over
 * all elements added (as if the batches were concatenated), the errors are maxima, top-1 counts
 * rows. Sums are kept in double. Not thread-safe.
 *
 * <pre>{@code
 * AccuracyAccumulator acc = new AccuracyAccumulator();
 * for (int b = 0; b < batches; b++) {
 *     acc.addRows(fp32Logits[b], int8Logits[b]);   // Tensors [N, classes]
 * }
 * AccuracyMetrics m = acc.result();
 * }</pre>
 */
public final class AccuracyAccumulator {
    private long elements;
    private double dot;
    private double refSq;
    private double candSq;
    private double errSq;
    private double maxAbs;
    private double maxRel;
    private boolean sawNaN;
    private long rows;
    private long agreeing;

    /** Adds element pairs of two equal-length arrays. */
    public void add(float[] reference, float[] candidate) {
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException("candidate has " + candidate.length + " values, expected "
                    + reference.length + " (the reference's)");
        }
        double d = 0;
        double xx = 0;
        double yy = 0;
        double ee = 0;
        double ma = maxAbs;
        double mr = maxRel;
        boolean nan = false;
        for (int i = 0; i < reference.length; i++) {
            double x = reference[i];
            double y = candidate[i];
            double e = x - y;
            d += x * y;
            xx += x * x;
            yy += y * y;
            ee += e * e;
            double ae = Math.abs(e);
            if (Double.isNaN(ae)) {
                nan = true;
                continue;
            }
            if (ae > ma) {
                ma = ae;
            }
            if (x != 0) {
                double r = ae / Math.abs(x);
                if (r > mr) {
                    mr = r;
                }
            }
        }
        dot += d;
        refSq += xx;
        candSq += yy;
        errSq += ee;
        maxAbs = ma;
        maxRel = mr;
        sawNaN |= nan;
        elements += reference.length;
    }

    /**
     * Adds element pairs and compares the argmax of each row of {@code rowLength} values.
     *
     * @throws IllegalArgumentException if the lengths differ or are not a multiple of {@code rowLength}
     */
    public void addRows(float[] reference, float[] candidate, int rowLength) {
        if (rowLength < 1 || reference.length % rowLength != 0) {
            throw new IllegalArgumentException("row length " + rowLength + " for " + reference.length
                    + " values, expected a positive divisor of the value count");
        }
        add(reference, candidate);
        for (int start = 0; start < reference.length; start += rowLength) {
            int a = argmax(reference, start, rowLength);
            int b = argmax(candidate, start, rowLength);
            if (a >= 0 && a == b) {
                agreeing++;
            }
            rows++;
        }
    }

    /** Adds two FLOAT32 tensors of equal shape, element-wise. */
    public void add(Tensor reference, Tensor candidate) {
        checkShapes(reference, candidate);
        add(reference.floats(), candidate.floats());
    }

    /** Adds two FLOAT32 tensors of equal shape, with top-1 over the last dimension (e.g. [N, classes] logits). */
    public void addRows(Tensor reference, Tensor candidate) {
        checkShapes(reference, candidate);
        if (reference.rank() == 0) {
            throw new IllegalArgumentException("top-1 needs a tensor of rank >= 1, found a scalar");
        }
        addRows(reference.floats(), candidate.floats(), Math.toIntExact(reference.dim(reference.rank() - 1)));
    }

    /** Number of element pairs added so far. */
    public long elements() {
        return elements;
    }

    /**
     * The metrics over everything added so far.
     *
     * @throws IllegalStateException if nothing was added
     */
    public AccuracyMetrics result() {
        if (elements == 0) {
            throw new IllegalStateException("no outputs compared: add reference/candidate pairs before reading metrics");
        }
        double cosine;
        if (refSq == 0 && candSq == 0) {
            cosine = 1;
        } else if (refSq == 0 || candSq == 0) {
            cosine = 0;
        } else {
            cosine = Math.max(-1, Math.min(1, dot / (Math.sqrt(refSq) * Math.sqrt(candSq))));
        }
        double sqnr;
        if (errSq == 0) {
            sqnr = Double.POSITIVE_INFINITY;
        } else if (refSq == 0) {
            sqnr = Double.NEGATIVE_INFINITY;
        } else {
            sqnr = 10 * Math.log10(refSq / errSq);
        }
        double nan = Double.NaN;
        OptionalDouble top1 = rows == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) agreeing / rows);
        if (sawNaN || Double.isNaN(dot)) {
            return new AccuracyMetrics(elements, nan, nan, nan, nan, rows, top1);
        }
        return new AccuracyMetrics(elements, cosine, sqnr, maxAbs, maxRel, rows, top1);
    }

    private static int argmax(float[] v, int start, int length) {
        int best = start;
        for (int i = start; i < start + length; i++) {
            if (Float.isNaN(v[i])) {
                return -1;
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best - start;
    }

    private static void checkShapes(Tensor reference, Tensor candidate) {
        if (!Arrays.equals(reference.shape(), candidate.shape())) {
            throw new IllegalArgumentException("candidate shape " + Arrays.toString(candidate.shape())
                    + ", expected the reference's " + Arrays.toString(reference.shape()));
        }
    }
}
