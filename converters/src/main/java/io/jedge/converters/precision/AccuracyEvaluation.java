package io.jedge.converters.precision;

import io.jedge.converters.compare.Metrics;
import io.jedge.sdk.bundle.Report;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A candidate variant (FP16, INT8) compared with the FP32 model on held-out inputs: whole-output
 * metrics and the SQNR of each layer's output.
 *
 * @param overall metrics over every model output (top-1 over the last axis for classifiers)
 * @param layers one entry per layer compared, in graph order
 * @param inputs what the held-out inputs were
 */
public record AccuracyEvaluation(Metrics overall, List<LayerAccuracy> layers, String inputs) {
    /** Worst layers written into a report. */
    public static final int REPORTED_LAYERS = 10;

    public AccuracyEvaluation {
        layers = List.copyOf(layers);
    }

    /**
     * One layer's output against FP32.
     *
     * @param layer layer name (weight name without {@code .weight}, or node name)
     * @param sqnrDb SQNR of the layer's output, accumulated error included
     * @param inputSqnrDb SQNR of the layer's activation input (+∞ when it is exact)
     */
    public record LayerAccuracy(String layer, double sqnrDb, double inputSqnrDb) {
        /**
         * The SQNR this layer would have on its own: the relative noise it adds on top of the noise
         * already in its input, {@code −10·log10(10^(−sqnr/10) − 10^(−inputSqnr/10))}. Ranks where the
         * error is introduced rather than where it has accumulated.
         */
        public double localSqnrDb() {
            double out = Math.pow(10, -sqnrDb / 10);
            double in = Double.isNaN(inputSqnrDb) ? 0 : Math.pow(10, -inputSqnrDb / 10);
            if (Double.isNaN(out)) {
                return Double.NEGATIVE_INFINITY;
            }
            double added = out - in;
            return added <= 0 ? Math.min(sqnrDb, 300) : -10 * Math.log10(added);
        }
    }

    /** Layers ordered from the lowest {@link LayerAccuracy#localSqnrDb()} (most error introduced) up. */
    public List<LayerAccuracy> worstLayers(int n) {
        List<LayerAccuracy> sorted = new ArrayList<>(layers);
        sorted.sort(Comparator.comparingDouble(LayerAccuracy::localSqnrDb));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    /**
     * The bundle report: kind {@code accuracy}, metrics {@code cosine}, {@code sqnrDb},
     * {@code maxAbsError} and (classifiers) {@code top1Agreement}; the worst layers with
     * {@code sqnrDb} (accumulated) and {@code localSqnrDb}.
     */
    public Report toReport(String variant, String reference, List<String> notes) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cosine", overall.cosine());
        m.put("sqnrDb", overall.sqnrDb());
        m.put("maxAbsError", overall.maxAbsError());
        overall.top1Agreement().ifPresent(t -> m.put("top1Agreement", t));
        m.replaceAll((k, v) -> k.equals("sqnrDb") ? finite(v) : v);
        List<Report.LayerMetric> ls = new ArrayList<>();
        for (LayerAccuracy l : worstLayers(REPORTED_LAYERS)) {
            ls.add(new Report.LayerMetric(l.layer(), Map.of("sqnrDb", finite(l.sqnrDb()), "localSqnrDb", finite(l.localSqnrDb()))));
        }
        return new Report("accuracy", variant, reference, inputs, m, ls, notes);
    }

    /** JSON has no infinity: an exact match is written as 300 dB. */
    private static double finite(double db) {
        return Double.isNaN(db) ? db : Math.max(-300, Math.min(300, db));
    }

    /** "blocks.1.mlp.fc2 (SQNR 21.3 dB, 24.0 dB on its own), ..." for messages. */
    public String describeWorst(int n) {
        StringBuilder b = new StringBuilder();
        for (LayerAccuracy l : worstLayers(n)) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(String.format(Locale.ROOT, "%s (SQNR %.1f dB, %.1f dB on its own)", l.layer(), l.sqnrDb(), l.localSqnrDb()));
        }
        return b.toString();
    }
}
