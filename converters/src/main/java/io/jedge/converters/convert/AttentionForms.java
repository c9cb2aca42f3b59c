package io.jedge.converters.convert;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.ElfattSdRewrite;
import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The attention forms {@code --attention} asks for: the model kept as it is, and/or its ELFATT-SD rewrite. */
final class AttentionForms {
    private AttentionForms() {
    }

    static List<AttentionForm> produce(OnnxModel source, ConversionOptions o, Consumer<String> progress) {
        List<AttentionForm> forms = new ArrayList<>();
        for (String a : o.attention()) {
            if (a.equals("keep")) {
                forms.add(new AttentionForm(Converter.attentionOf(source), source, null, Map.of()));
                continue;
            }
            long t0 = System.nanoTime();
            FidelityEvaluator eval = FidelityEvaluator.builder().samples(8).seed(1234).threads(0).build();
            OnnxModel rewritten;
            Report fidelity;
            List<Integer> layers;
            if (o.fidelityMin() != null) {
                FidelityEvaluator.Selection sel = eval.selectByFidelity(source, o.elfattSd(), o.fidelityMin());
                if (sel.layers().isEmpty()) {
                    progress.accept(String.format("elfatt-sd: no layer keeps the model's cosine at or above %.4f; variant skipped",
                            o.fidelityMin()));
                    continue;
                }
                rewritten = sel.model();
                fidelity = sel.report();
                layers = sel.layers();
            } else {
                ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(source, o.elfattSd());
                if (r.converted().isEmpty()) {
                    throw new IllegalArgumentException("--attention elfatt-sd: the model has no self-attention block the rewrite "
                            + "supports (see 'jedge inspect' for the reasons)");
                }
                rewritten = r.model();
                fidelity = eval.evaluate(source, r);
                layers = r.converted().stream().map(ElfattSdRewrite.Converted::index).toList();
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("elfattLayers", layers.toString());
            attrs.put("elfattBlock", String.valueOf(o.elfattSd().block()));
            attrs.put("elfattAgents", String.valueOf(o.elfattSd().agents()));
            progress.accept(String.format("elfatt-sd: rewrote layers %s, fidelity cosine %.5f, top-1 agreement %s (%.1f s)", layers,
                    fidelity.metrics().getOrDefault("cosine", Double.NaN),
                    fidelity.metrics().containsKey("top1Agreement") ? String.format("%.3f", fidelity.metrics().get("top1Agreement")) : "n/a",
                    (System.nanoTime() - t0) / 1e9));
            forms.add(new AttentionForm(AttentionKind.ELFATT_SD, rewritten, fidelity, attrs));
        }
        return forms;
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
