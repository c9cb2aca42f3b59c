package io.jedge.converters.convert;

import io.jedge.converters.attention.AttentionBlock;
import io.jedge.converters.attention.AttentionFinder;
import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.precision.CalibrationSet;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The attention forms {@code --attention} asks for: the model kept as it is, and/or its ELFATT-SD rewrite. */
final class AttentionVariants {
    private AttentionVariants() {
    }

    /**
     * The forms {@code o.attention()} asks for. An ELFATT-SD rewrite is kept only with the layers
     * that meet the fidelity floor, measured on the user's validation data when given, else on
     * seeded inputs; when no layer does, or the model has none to rewrite, the form is left out
     * and {@code progress} says why. Fails only when nothing at all would be written.
     */
    static List<AttentionVariant> produce(OnnxModel source, ConversionOptions o, List<TensorSpec> inputs, Preprocessing pre,
            Consumer<String> progress) {
        List<AttentionVariant> forms = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (String a : o.attention()) {
            if (a.equals("keep")) {
                forms.add(new AttentionVariant(Converter.attentionOf(source), source, null, Map.of()));
                continue;
            }
            long t0 = System.nanoTime();
            List<AttentionBlock> blocks = AttentionFinder.find(source.copy());
            if (o.elfattSd().layers().isEmpty() && blocks.stream().noneMatch(AttentionBlock::supported)) {
                String why = blocks.isEmpty() ? "the model has no softmax attention block"
                        : "none of its " + blocks.size() + " attention blocks can be rewritten (" + reasons(blocks) + ")";
                leftOut.add("elfatt-sd: " + why);
                progress.accept("elfatt-sd left out: " + why + "; see 'jedge inspect'");
                continue;
            }
            FidelityEvaluator.Builder eb = FidelityEvaluator.builder().samples(8).seed(1234).threads(0);
            String data = "8 seeded inputs (no --calibration data given; a trained model has never seen such inputs)";
            if (o.precision().hasUserData()) {
                CalibrationSet held = o.precision().validationSet(inputs, pre);
                data = held.description();
                eb.inputs(held.toBatches(), data);
            }
            progress.accept("elfatt-sd: measuring each layer against the fidelity floor (" + o.fidelity() + ") on " + data);
            FidelityEvaluator.Selection sel = eb.build().selectByFidelity(source, o.elfattSd(), o.fidelity(), progress);
            if (sel.layers().isEmpty()) {
                String why = "no layer keeps " + o.fidelity() + " on " + data;
                leftOut.add("elfatt-sd: " + why);
                progress.accept("elfatt-sd left out: " + why + " (lower the floor with --fidelity-min/--agreement-min to accept more error)");
                continue;
            }
            Report fidelity = sel.report();
            List<Integer> layers = sel.layers().stream().sorted().toList();
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("elfattLayers", layers.toString());
            attrs.put("elfattBlock", String.valueOf(o.elfattSd().block()));
            attrs.put("elfattAgents", String.valueOf(o.elfattSd().agents()));
            blocks.stream().filter(b -> layers.contains(b.index())).mapToLong(AttentionBlock::tokens).max()
                    .ifPresent(t -> attrs.put("tokens", String.valueOf(t)));
            progress.accept(String.format("elfatt-sd: rewrote layers %s, %s (%.1f s)", layers,
                    FidelityFloor.describe(fidelity.metrics()), (System.nanoTime() - t0) / 1e9));
            forms.add(new AttentionVariant(AttentionKind.ELFATT_SD, sel.model(), fidelity, attrs));
        }
        if (forms.isEmpty()) {
            throw new IllegalArgumentException("nothing to write: " + String.join("; ", leftOut) + "; add --attention keep");
        }
        return forms;
    }

    private static String reasons(List<AttentionBlock> blocks) {
        return blocks.stream().map(AttentionBlock::note).filter(n -> !n.isEmpty()).distinct().limit(3)
                .collect(java.util.stream.Collectors.joining("; "));
    }

    /** The fidelity report re-labelled for the variant it describes. */
    static Report forVariant(Report r, String variantId, String referenceId) {
        return new Report(r.kind(), variantId, referenceId, r.inputs(), r.metrics(), r.layers(), r.notes());
    }

    static ElfattSdOptions options(List<Integer> layers, Integer block, Integer agents) {
        ElfattSdOptions.Builder b = ElfattSdOptions.builder();
        if (layers != null) {
            b.layers(layers);
        }
        if (block != null) {
            b.block(block);
        }
        if (agents != null) {
            b.agents(agents);
        }
        return b.build();
    }
}
