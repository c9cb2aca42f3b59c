package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldAttentionScaleTest {
    @TempDir
    Path tmp;

    @Test
    void legacyExportScaleMovesOntoTheLogitsAndOutputsStayExact() {
        Path dir = Fixtures.torchExport("vit224_legacy_op17");
        OnnxModel m = OnnxModel.load(dir.resolve("model.onnx"));
        List<String> folded = FoldAttentionScale.fold(m);
        assertEquals(2, folded.size(), "both blocks folded: " + folded);
        // the logits MatMul now reads the raw Q (no Mul in front of it)
        var idx = m.graph().index();
        for (Node sm : m.graph().nodes().stream().filter(n -> n.is("Softmax")).toList()) {
            Node scale = idx.producer(sm.input(0)).orElseThrow();
            assertEquals("Mul", scale.opType());
            Node mm = idx.producer(scale.input(0)).orElseThrow();
            assertEquals("MatMul", mm.opType());
            assertTrue(idx.producer(mm.input(0)).map(p -> !p.is("Mul")).orElse(true), "Q is unscaled");
        }
        Path out = tmp.resolve("folded.onnx");
        m.save(out);
        float[] input = Fixtures.readF32(dir.resolve("input.f32"));
        float[] expected = Fixtures.readF32(dir.resolve("torch_output.f32"));
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            float[] got = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, input))).get("logits").floats();
            assertTrue(Fixtures.maxAbsDiff(expected, got) < 1e-4, "still matches torch: " + Fixtures.maxAbsDiff(expected, got));
        }
    }

    @Test
    void modelsWithoutSplitScaleAreLeftAlone() {
        OnnxModel m = OnnxModel.load(Fixtures.torchExport("swin224_dynamo_op18").resolve("model.onnx"));
        int before = m.graph().nodes().size();
        // the dynamo export scales Q only (or the logits): nothing to fold, nothing touched
        assertEquals(List.of(), FoldAttentionScale.fold(m));
        assertEquals(before, m.graph().nodes().size());
    }
}
