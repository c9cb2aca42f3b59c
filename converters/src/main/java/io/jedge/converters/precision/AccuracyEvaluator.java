package io.jedge.converters.precision;

import io.jedge.converters.compare.Metrics;
import io.jedge.converters.compare.ModelComparator;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.UnaryOperator;

/**
 * Runs a reference (FP32) and a candidate model in ONNX Runtime on the same inputs and compares
 * them: every graph output, plus named intermediate tensors (layer outputs and their inputs) for
 * per-layer SQNR, where both models produce them, through the one comparator
 * ({@link ModelComparator}). Both models are run with full optimizations, as they are deployed. Stateless.
 */
public final class AccuracyEvaluator {
    /**
     * A layer to compare: its output tensor and its activation input tensor (names present in
     * both models; input may be null).
     */
    public record LayerProbe(String layer, String output, String input) {
    }

    /** The probe over every model output; tensor names cannot contain the NUL it starts with. */
    private static final String OVERALL = "\0overall";

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
        List<ModelComparator.Probe> compared = new ArrayList<>();
        compared.add(new ModelComparator.Probe(OVERALL, outputs, outputs,
                classifier ? ModelComparator.Top1.LAST_AXIS : ModelComparator.Top1.NONE, false, UnaryOperator.identity()));
        produced.forEach(t -> compared.add(ModelComparator.Probe.of(t).asOptional()));
        outputs.forEach(o -> compared.add(ModelComparator.Probe.of(o).asOptional()));
        ModelComparator.Result result;
        SessionOptions so = SessionOptions.defaults(); // full optimizations, as deployed
        try (InferenceSession ref = SessionFactory.open(reference.withOutputs(produced), "reference model", so);
                InferenceSession cand = SessionFactory.open(candidate.withOutputs(produced), "candidate model", so)) {
            result = ModelComparator.run(ref, cand, feeds(inputs), compared);
        } catch (CancellationException e) {
            throw new CancellationException("accuracy check interrupted; no variant was written");
        }
        Map<String, Metrics> acc = result.metrics();
        List<AccuracyEvaluation.LayerAccuracy> layers = new ArrayList<>();
        for (LayerProbe p : probes) {
            Metrics out = acc.get(p.output());
            if (out == null) {
                continue;
            }
            Metrics in = p.input() == null ? null : acc.get(p.input());
            double inSqnr = in == null ? Double.POSITIVE_INFINITY : in.sqnrDb();
            layers.add(new AccuracyEvaluation.LayerAccuracy(p.layer(), out.sqnrDb(), inSqnr));
        }
        return new AccuracyEvaluation(result.get(OVERALL), layers, inputs.description());
    }

    /** The batches as a list read one at a time, so a large held-out set is never all in memory. */
    private static List<Map<String, Tensor>> feeds(CalibrationSet inputs) {
        return new java.util.AbstractList<>() {
            @Override
            public Map<String, Tensor> get(int b) {
                return inputs.batch(b);
            }

            @Override
            public int size() {
                return inputs.batches();
            }
        };
    }

    private static Set<String> nodeOutputs(OnnxModel m) {
        Set<String> out = new HashSet<>();
        m.graph().nodes().forEach(n -> out.addAll(n.outputs()));
        return out;
    }
}
