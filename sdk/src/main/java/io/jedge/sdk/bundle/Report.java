package io.jedge.sdk.bundle;

import java.util.List;
import java.util.Map;

/**
 * A comparison of a variant against a reference (fidelity of an attention rewrite, accuracy of a
 * precision conversion): whole-model metrics, per-layer metrics and free-form notes.
 *
 * @param kind      {@code fidelity} or {@code accuracy}
 * @param variant   the variant id being judged
 * @param reference the variant id (or description) it is compared with
 * @param inputs    what inputs were used, e.g. "16 seeded inputs" or a folder
 */
public record Report(String kind, String variant, String reference, String inputs, Map<String, Double> metrics,
        List<LayerMetric> layers, List<String> notes) {
    public Report {
        metrics = Map.copyOf(metrics);
        layers = layers == null ? List.of() : List.copyOf(layers);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * This report for the engine {@code engineId} built from the ONNX variant it judges: an engine runs the same
     * graph, so its source's fidelity and accuracy stand for it, with a note saying where they were measured.
     * Convert's engine stage and engines built on the device both carry reports this way, so the fidelity floor
     * can admit an engine as it admits its source.
     */
    public Report carriedTo(String engineId) {
        List<String> n = new java.util.ArrayList<>(notes);
        n.add("measured on ONNX variant " + variant + ", which this engine was built from");
        return new Report(kind, engineId, reference, inputs, metrics, layers, n);
    }

    /** Metrics of one layer (node or block name). */
    public record LayerMetric(String layer, Map<String, Double> metrics) {
        public LayerMetric {
            metrics = Map.copyOf(metrics);
        }
    }
}
