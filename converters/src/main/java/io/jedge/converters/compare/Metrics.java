package io.jedge.converters.compare;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * How closely a candidate output matches a reference, over every element compared: the one metrics
 * type of jedge (compare, fidelity reports, the FP16/INT8 accuracy gate, the diffusion reports and
 * the TensorRT proof all read it), so each name below means the same everywhere.
 *
 * <ul>
 *   <li>{@code cosine} = x·y / (‖x‖‖y‖) over every element (all samples pooled); 1 when both are
 *       all zero, 0 when only one is.
 *   <li>{@code sampleCosineMean}, {@code sampleCosineMin}: the same cosine taken per sample (one
 *       {@link MetricsAccumulator#add} call), averaged and at its worst.
 *   <li>{@code sqnrDb} = 10·log10(Σx² / Σ(x−y)²); +∞ when identical, −∞ when the reference is all
 *       zero and the candidate is not.
 *   <li>{@code relativeL2()} = ‖x−y‖ / ‖x‖, the same figure as SQNR on a linear scale (0 when
 *       identical, +∞ when only the reference is all zero).
 *   <li>{@code maxAbsError} = max |x−y|; {@code meanAbsError} = mean |x−y|.
 *   <li>{@code maxRelError} = max |x−y| / max |x|: the largest error against the reference's
 *       largest magnitude, so near-zero reference entries do not blow it up (0 when identical,
 *       +∞ when only the reference is all zero).
 *   <li>{@code top1Agreement}: fraction of rows whose top-1 class matches, as
 *       {@link io.jedge.sdk.vision.Ranking#sameTop1} defines it (first maximum; a row with a NaN on
 *       either side disagrees). Empty unless rows were compared.
 * </ul>
 * A NaN anywhere in the candidate makes every figure but the counts and top-1 NaN, which fails
 * every gate.
 *
 * @param elements number of element pairs compared
 * @param samples number of samples (accumulator {@code add} calls)
 * @param rows number of rows compared for top-1 (0 if none)
 */
public record Metrics(long elements, double cosine, double sqnrDb, double maxAbsError, double meanAbsError,
        double maxRelError, int samples, double sampleCosineMean, double sampleCosineMin, long rows,
        OptionalDouble top1Agreement) {
    public Metrics {
        if (elements < 0 || rows < 0 || samples < 0) {
            throw new IllegalArgumentException("metric counts elements=" + elements + ", samples=" + samples + ", rows=" + rows
                    + ", expected >= 0");
        }
        if (top1Agreement == null) {
            throw new IllegalArgumentException("top1Agreement is null, expected OptionalDouble.empty() when no rows");
        }
    }

    /** ‖x−y‖ / ‖x‖ over every element compared; the same figure as {@code sqnrDb}, on a linear scale. */
    public double relativeL2() {
        return Math.pow(10, -sqnrDb / 20);
    }

    /** Metrics of one pair of equal-length arrays (one sample). */
    public static Metrics of(float[] reference, float[] candidate) {
        MetricsAccumulator a = new MetricsAccumulator();
        a.add(reference, candidate);
        return a.result();
    }

    /** Metrics of one pair of arrays made of rows of {@code rowLength} (e.g. logits), with top-1. */
    public static Metrics ofRows(float[] reference, float[] candidate, int rowLength) {
        MetricsAccumulator a = new MetricsAccumulator();
        a.addRows(reference, candidate, rowLength);
        return a.result();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "Metrics[elements=%d, cosine=%.6f, sqnr=%.2f dB, maxAbs=%.4g, meanAbs=%.4g, maxRel=%.4g, relL2=%.4g%s]",
                elements, cosine, sqnrDb, maxAbsError, meanAbsError, maxRelError, relativeL2(),
                top1Agreement.isPresent() ? String.format(Locale.ROOT, ", top1=%.4f over %d rows",
                        top1Agreement.getAsDouble(), rows) : "");
    }
}
