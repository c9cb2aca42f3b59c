package io.jedge.converters.precision;

import java.util.OptionalDouble;

/**
 * How closely a candidate output (FP16, INT8) matches the FP32 reference, over every element
 * compared (quantization.md §5, §6.7).
 *
 * <ul>
 *   <li>{@code cosine} = x·y / (‖x‖‖y‖); 1 when both are all zero, 0 when only one is.
 *   <li>{@code sqnrDb} = 10·log10(Σx² / Σ(x−y)²); +∞ when identical, −∞ when the reference is all
 *       zero and the candidate is not.
 *   <li>{@code relativeL2()} = ‖x−y‖ / ‖x‖, derived from SQNR (0 when identical, +∞ when only the
 *       reference is all zero): the one relative error every comparison reports.
 *   <li>{@code maxAbsError} = max |x−y|.
 *   <li>{@code maxRelError} = max |x−y| / |x| over elements whose reference is non-zero (elements
 *       with x = 0 show up in {@code maxAbsError} only); 0 if there are none.
 *   <li>{@code top1Agreement}: fraction of rows whose argmax (first maximum) matches; a row with a
 *       NaN on either side disagrees. Empty unless rows were compared.
 * </ul>
 * A NaN anywhere in the candidate makes cosine, SQNR and the errors NaN, which fails every gate.
 *
 * @param elements number of element pairs compared
 * @param rows number of rows compared for top-1 (0 if none)
 */
public record AccuracyMetrics(long elements, double cosine, double sqnrDb, double maxAbsError, double maxRelError,
        long rows, OptionalDouble top1Agreement) {
    public AccuracyMetrics {
        if (elements < 0 || rows < 0) {
            throw new IllegalArgumentException("metric counts elements=" + elements + ", rows=" + rows + ", expected >= 0");
        }
        if (top1Agreement == null) {
            throw new IllegalArgumentException("top1Agreement is null, expected OptionalDouble.empty() when no rows");
        }
    }

    /** ‖x−y‖ / ‖x‖ over every element compared; the same figure as {@code sqnrDb}, on a linear scale. */
    public double relativeL2() {
        return Math.pow(10, -sqnrDb / 20);
    }

    /** Cosine similarity of two vectors; 1 for two zero vectors, 0 when only one is zero. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("cosine of vectors of " + a.length + " and " + b.length + " elements");
        }
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 && bb == 0) {
            return 1;
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    /** Metrics of one pair of equal-length arrays. */
    public static AccuracyMetrics compare(float[] reference, float[] candidate) {
        AccuracyAccumulator a = new AccuracyAccumulator();
        a.add(reference, candidate);
        return a.result();
    }

    /** Metrics of one pair of arrays made of rows of {@code rowLength} (e.g. logits), with top-1. */
    public static AccuracyMetrics compareRows(float[] reference, float[] candidate, int rowLength) {
        AccuracyAccumulator a = new AccuracyAccumulator();
        a.addRows(reference, candidate, rowLength);
        return a.result();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "AccuracyMetrics[elements=%d, cosine=%.6f, sqnr=%.2f dB, maxAbs=%.4g, maxRel=%.4g%s]",
                elements, cosine, sqnrDb, maxAbsError, maxRelError,
                top1Agreement.isPresent() ? String.format(java.util.Locale.ROOT, ", top1=%.4f over %d rows",
                        top1Agreement.getAsDouble(), rows) : "");
    }
}
