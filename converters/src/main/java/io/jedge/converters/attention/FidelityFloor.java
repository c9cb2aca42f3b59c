package io.jedge.converters.attention;

import java.util.Locale;
import java.util.Map;

/**
 * The least fidelity an approximate variant must keep against its source to be written: the mean
 * output cosine and, for classifiers, the top-1 agreement. Checked on the user's validation data
 * when there is some, else on seeded inputs (which a trained model has never seen, so they are a
 * weaker test; the report says which). A selection with a {@link FidelityEvaluator.Gate} reads the
 * gate's figure instead of the mean: a denoiser's blocks are held to the worst timestep's
 * predicted-noise cosine, the figure its FP16 and INT8 are gated on.
 *
 * @param cosine        least mean cosine of the outputs (or the gate's figure), in (-1, 1]
 * @param top1Agreement least fraction of samples whose top-1 class is unchanged, in [0, 1]; ignored
 *                      for models that are not classifiers
 */
public record FidelityFloor(double cosine, double top1Agreement) {
    /** The default: 0.99 cosine and 99% top-1 agreement. */
    public static final FidelityFloor DEFAULT = new FidelityFloor(0.99, 0.99);

    public FidelityFloor {
        if (!(cosine > -1 && cosine <= 1)) {
            throw new IllegalArgumentException("--fidelity-min " + cosine + ", expected a cosine in (-1, 1]");
        }
        if (!(top1Agreement >= 0 && top1Agreement <= 1)) {
            throw new IllegalArgumentException("--agreement-min " + top1Agreement + ", expected a fraction in [0, 1]");
        }
    }

    /** True when a fidelity report's metrics meet the floor. */
    public boolean passes(Map<String, Double> metrics) {
        double c = metrics.getOrDefault("cosine", Double.NaN);
        Double agree = metrics.get("top1Agreement");
        return c >= cosine && (agree == null || agree >= top1Agreement);
    }

    /** Metrics as one short phrase: "cosine 0.99812, top-1 agreement 98.6%". */
    public static String describe(Map<String, Double> metrics) {
        Double agree = metrics.get("top1Agreement");
        return String.format(Locale.ROOT, "cosine %.5f%s", metrics.getOrDefault("cosine", Double.NaN),
                agree == null ? "" : String.format(Locale.ROOT, ", top-1 agreement %.1f%%", 100 * agree));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cosine >= %.4f, top-1 agreement >= %.1f%%", cosine, 100 * top1Agreement);
    }
}
