package io.jedge.converters.attention;

import io.jedge.converters.models.WeightSource;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One attention layer as a model: input {@code x} [batch,T,C] → output {@code y} [batch,T,C]. */
final class LayerGraphs {
    private LayerGraphs() {
    }

    static OnnxModel oneLayer(AttentionEmitter e, TokenLayout l, WeightSource w) {
        Graph g = new Graph("layer", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {-1, l.tokens(), l.dim()}, "batch");
        b.scope("layer.attn");
        String y = e.emit(b, x, "layer.attn", w, l);
        b.output(y, "y", TensorData.FLOAT, new long[] {-1, l.tokens(), l.dim()}, "batch");
        Map<String, Long> opsets = new LinkedHashMap<>();
        opsets.put("", 17L);
        e.opsets().forEach((k, v) -> opsets.merge(k, v, Math::max));
        return new OnnxModel(opsets.get("") >= 23 ? 11 : 8, opsets, g);
    }

    /** Saves, runs once in ONNX Runtime CPU and returns y. */
    static float[] run(OnnxModel m, Path file, int batch, TokenLayout l, float[] x) {
        m.save(file);
        try (InferenceSession s = new OrtBackend().open(file, SessionOptions.builder().threads(1).build())) {
            return s.run(Map.of("x", Tensor.ofFloats(new long[] {batch, l.tokens(), l.dim()}, x))).get("y").floats();
        }
    }
}
