package io.jedge.converters.precision;

import io.jedge.sdk.JedgeException;
import java.util.List;
import java.util.Locale;

/**
 * A variant stays below the accuracy target even after the automatic exclusions; nothing was
 * written. The message names the layers that lose the most and the option that excludes them.
 */
public final class AccuracyTargetException extends JedgeException {
    private static final long serialVersionUID = 1L;
    private final String variant;
    private final double cosine;
    private final double minCosine;
    private final List<String> suggested;

    public AccuracyTargetException(String variant, AccuracyEvaluation e, double minCosine, String option) {
        super(Code.ACCURACY_TARGET_MISSED, message(variant, e, minCosine, option));
        this.variant = variant;
        this.cosine = e.overall().cosine();
        this.minCosine = minCosine;
        this.suggested = e.worstLayers(3).stream().map(AccuracyEvaluation.LayerAccuracy::layer).toList();
    }

    private static String message(String variant, AccuracyEvaluation e, double minCosine, String option) {
        List<String> worst = e.worstLayers(3).stream().map(AccuracyEvaluation.LayerAccuracy::layer).toList();
        return String.format(Locale.ROOT, "variant %s: cosine %.6f against fp32 on %s, below --min-cosine %s; "
                + "the layers losing the most are %s; exclude them with %s %s (or lower --min-cosine)",
                variant, e.overall().cosine(), e.inputs(), minCosine, e.describeWorst(3), option, String.join(",", worst));
    }

    public String variant() {
        return variant;
    }

    public double cosine() {
        return cosine;
    }

    public double minCosine() {
        return minCosine;
    }

    /** The layers the message suggests excluding, worst first. */
    public List<String> suggestedLayers() {
        return suggested;
    }
}
