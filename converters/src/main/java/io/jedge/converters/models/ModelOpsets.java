package io.jedge.converters.models;

import io.jedge.converters.attention.AttentionEmitter;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Opset imports for built models: default-domain 17 plus whatever the attention emitters need. */
final class ModelOpsets {
    private ModelOpsets() {
    }

    static OnnxModel model(Graph g, Collection<? extends AttentionEmitter> emitters) {
        Map<String, Long> opsets = new LinkedHashMap<>();
        opsets.put("", 17L);
        for (AttentionEmitter e : emitters) {
            e.opsets().forEach((domain, version) -> opsets.merge(domain, version, Math::max));
        }
        // IR 8 covers opset 17-18; opset 23 is defined from IR 11 (ONNX 1.18)
        long ir = opsets.get("") >= 23 ? 11 : opsets.get("") >= 21 ? 10 : 8;
        return new OnnxModel(ir, opsets, g);
    }
}
