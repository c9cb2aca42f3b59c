package io.jedge.converters.compare;

import io.jedge.sdk.Tensor;
import io.jedge.sdk.vision.Ranking;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Accumulates {@link Metrics} over samples: cosine and SQNR are computed from sums over all
 * elements added (as if the samples were concatenated), the errors are maxima and means, the
 * per-sample cosine is taken once per {@link #add} call, top-1 counts rows. Sums are kept in
 * double. Not thread-safe.
 *
 * <pre>{@code
 * MetricsAccumulator acc = new MetricsAccumulator();
 * for (int b = 0; b < batches; b++) {
 *     acc.addRows(fp32Logits[b], int8Logits[b]);   // Tensors [N, classes]
 * }
 * Metrics m = acc.result();
 * }</pre>
 */
public final class MetricsAccumulator {
    private long elements;
    private double dot;
    private double refSq;
    private double candSq;
    private double errSq;
    private double absSum;
    private double maxAbs;
    private double maxRef;
    private boolean sawNaN;
    private int samples;
    private double sampleCosineSum;
    private double sampleCosineMin = Double.POSITIVE_INFINITY;
    private long rows;
    private long agreeing;

    /** Adds one sample: the element pairs of two equal-length arrays. */
    public void add(float[] reference, float[] candidate) {
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException("candidate has " + candidate.length + " values, expected "
                    + reference.length + " (the reference's)");
        }
        double d = 0;
        double xx = 0;
        double yy = 0;
        double ee = 0;
        double sa = 0;
        double ma = maxAbs;
        double mr = maxRef;
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
            sa += ae;
            ma = Math.max(ma, ae);
            mr = Math.max(mr, Math.abs(x));
        }
        dot += d;
        refSq += xx;
        candSq += yy;
        errSq += ee;
        absSum += sa;
        maxAbs = ma;
        maxRef = mr;
        sawNaN |= nan;
        elements += reference.length;
        double c = nan ? Double.NaN : cosine(d, xx, yy);
        samples++;
        sampleCosineSum += c;
        sampleCosineMin = Double.isNaN(c) || Double.isNaN(sampleCosineMin) ? Double.NaN : Math.min(sampleCosineMin, c);
    }

    /**
     * Adds one sample and compares the argmax of each row of {@code rowLength} values.
     *
     * @throws IllegalArgumentException if the lengths differ or are not a multiple of {@code rowLength}
     */
    public void addRows(float[] reference, float[] candidate, int rowLength) {
        checkRows(reference, rowLength);
        add(reference, candidate);
        addTop1(reference, candidate, rowLength);
    }

    /** Counts top-1 agreement over rows of {@code rowLength} values, without adding the elements. */
    public void addTop1(float[] reference, float[] candidate, int rowLength) {
        checkRows(reference, rowLength);
        if (reference.length != candidate.length) {
            throw new IllegalArgumentException("candidate has " + candidate.length + " values, expected "
                    + reference.length + " (the reference's)");
        }
        for (int start = 0; start < reference.length; start += rowLength) {
            agreeing += Ranking.sameTop1(reference, candidate, start, rowLength) ? 1 : 0;
            rows++;
        }
    }

    /** Adds two FLOAT32 tensors of equal shape, element-wise, as one sample. */
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
    public Metrics result() {
        if (samples == 0) {
            throw new IllegalStateException("no outputs compared: add reference/candidate pairs before reading metrics");
        }
        double sqnr;
        if (errSq == 0) {
            sqnr = Double.POSITIVE_INFINITY;
        } else if (refSq == 0) {
            sqnr = Double.NEGATIVE_INFINITY;
        } else {
            sqnr = 10 * Math.log10(refSq / errSq);
        }
        double maxRel = maxAbs == 0 ? 0 : maxRef == 0 ? Double.POSITIVE_INFINITY : maxAbs / maxRef;
        double nan = Double.NaN;
        OptionalDouble top1 = rows == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) agreeing / rows);
        if (sawNaN || Double.isNaN(dot)) {
            return new Metrics(elements, nan, nan, nan, nan, nan, samples, nan, nan, rows, top1);
        }
        return new Metrics(elements, cosine(dot, refSq, candSq), sqnr, maxAbs, elements == 0 ? 0 : absSum / elements, maxRel,
                samples, sampleCosineSum / samples, sampleCosineMin, rows, top1);
    }

    private static double cosine(double dot, double xx, double yy) {
        if (xx == 0 && yy == 0) {
            return 1;
        }
        if (xx == 0 || yy == 0) {
            return 0;
        }
        return Math.max(-1, Math.min(1, dot / (Math.sqrt(xx) * Math.sqrt(yy))));
    }

    private static void checkRows(float[] reference, int rowLength) {
        if (rowLength < 1 || reference.length % rowLength != 0) {
            throw new IllegalArgumentException("row length " + rowLength + " for " + reference.length
                    + " values, expected a positive divisor of the value count");
        }
    }

    private static void checkShapes(Tensor reference, Tensor candidate) {
        if (!Arrays.equals(reference.shape(), candidate.shape())) {
            throw new IllegalArgumentException("candidate shape " + Arrays.toString(candidate.shape())
                    + ", expected the reference's " + Arrays.toString(reference.shape()));
        }
    }
}
