package io.jedge.converters.precision;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.DataType;
import io.jedge.sdk.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a reference (FP32) and a candidate model in ONNX Runtime on the same inputs and compares
 * them: every graph output, plus named intermediate tensors (layer outputs and their inputs) for
 * per-layer SQNR, where both models produce them. Both models are run with full optimizations, as they are deployed. Stateless.
 */
public final class AccuracyEvaluator {
    /**
     * A layer to compare: its output tensor and its activation input tensor (names present in
     * both models; input may be null).
     */
    public record LayerProbe(String layer, String output, String input) {
    }

    private AccuracyEvaluator() {
    }

    /**
     * Compares {@code candidate} with {@code reference} on {@code inputs}.
     *
     * @param classifier compute top-1 agreement over the last axis of the first output
     */
    public static AccuracyEvaluation evaluate(OnnxModel reference, OnnxModel candidate, CalibrationSet inputs,
            List<LayerProbe> probes, boolean classifier) {
        List<String> outputs = new ArrayList<>();
        reference.graph().outputs().forEach(v -> outputs.add(v.getName()));
        Set<String> tensors = new LinkedHashSet<>();
        for (LayerProbe p : probes) {
            tensors.add(p.output());
            if (p.input() != null) {
                tensors.add(p.input());
            }
        }
        tensors.removeAll(outputs);
        Set<String> inputNames = new LinkedHashSet<>();
        reference.graph().inputs().forEach(v -> inputNames.add(v.getName()));
        Set<String> produced = new LinkedHashSet<>(tensors);
        produced.removeAll(inputNames); // model inputs are compared from the feeds: exact by definition
        // a probe only one model has (a tensor a pass renamed or removed) cannot be compared: that
        // layer goes unreported instead of failing the run
        produced.retainAll(nodeOutputs(reference));
        produced.retainAll(nodeOutputs(candidate));
        Map<String, AccuracyAccumulator> acc = new LinkedHashMap<>();
        AccuracyAccumulator overall = new AccuracyAccumulator();
        List<String> wanted = new ArrayList<>(outputs);
        wanted.addAll(produced);
        try (OrtRunner ref = OrtRunner.withOutputs(reference, produced, true, "reference");
                OrtRunner cand = OrtRunner.withOutputs(candidate, produced, true, "candidate")) {
            for (int b = 0; b < inputs.batches(); b++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("accuracy check interrupted; no variant was written");
                }
                Map<String, Tensor> feeds = inputs.batch(b);
                Map<String, Tensor> r = ref.run(feeds, wanted);
                Map<String, Tensor> c = cand.run(feeds, wanted);
                for (int i = 0; i < outputs.size(); i++) {
                    String o = outputs.get(i);
                    Tensor x = r.get(o);
                    Tensor y = c.get(o);
                    if (x.type() != DataType.FLOAT32) {
                        continue;
                    }
                    if (classifier && i == 0 && x.rank() >= 1) {
                        overall.addRows(x, y);
                    } else {
                        overall.add(x, y);
                    }
                }
                for (String t : produced) {
                    Tensor x = r.get(t);
                    Tensor y = c.get(t);
                    if (x != null && y != null && x.type() == DataType.FLOAT32) {
                        acc.computeIfAbsent(t, k -> new AccuracyAccumulator()).add(x, y);
                    }
                }
                for (String o : outputs) {
                    if (r.get(o).type() == DataType.FLOAT32) {
                        acc.computeIfAbsent(o, k -> new AccuracyAccumulator()).add(r.get(o), c.get(o));
                    }
                }
            }
        }
        List<AccuracyEvaluation.LayerAccuracy> layers = new ArrayList<>();
        for (LayerProbe p : probes) {
            AccuracyAccumulator out = acc.get(p.output());
            if (out == null) {
                continue;
            }
            AccuracyAccumulator in = p.input() == null ? null : acc.get(p.input());
            double inSqnr = in == null ? Double.POSITIVE_INFINITY : in.result().sqnrDb();
            layers.add(new AccuracyEvaluation.LayerAccuracy(p.layer(), out.result().sqnrDb(), inSqnr));
        }
        return new AccuracyEvaluation(overall.result(), layers, inputs.description());
    }

    private static Set<String> nodeOutputs(OnnxModel m) {
        Set<String> out = new HashSet<>();
        m.graph().nodes().forEach(n -> out.addAll(n.outputs()));
        return out;
    }
}
