package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Corpus;
import io.jedge.converters.Fixtures;
import io.jedge.converters.onnx.Shapes;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.compare.Metrics;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code jedge convert --engines tensorrt} folds the attention scale into every variant, the FP16
 * one after FP16 conversion: the folded constant must take the logits' type (float16 there), or
 * TensorRT's strongly typed network refuses the Mul ("must have same input types ... Half and
 * Float"). The FP32 case guards the other side of the same choice.
 */
class FoldAttentionScaleFp16Test {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"timm_vit_legacy, fp16", "digits_vit_legacy, fp16", "timm_vit_legacy, fp32"})
    void foldKeepsEveryMulTypeConsistentAndTheOutputsUnchanged(String export, String precision) throws Exception {
        OnnxModel source = OnnxModel.load(Corpus.folder(export).resolve("model.onnx"));
        boolean half = precision.equals("fp16");
        OnnxModel fp16 = half ? Fp16Converter.convert(source, Fp16Options.defaults()).model() : source;
        int logitsType = half ? TensorData.FLOAT16 : TensorData.FLOAT;
        OnnxModel folded = fp16.copy();
        List<String> layers = FoldAttentionScale.fold(folded);
        assertFalse(layers.isEmpty(), export + ": the legacy export's Q/K-side scale should be folded");

        Map<String, Integer> types = Shapes.elementTypes(folded.graph());
        List<String> mixed = new ArrayList<>();
        int logitsMuls = 0;
        for (Node n : folded.graph().nodes()) {
            if (n.is("Mul")) {
                Integer a = types.get(n.input(0));
                Integer b = types.get(n.input(1));
                if (a == null || !a.equals(b)) {
                    mixed.add(n.name() + " " + a + "×" + b);
                }
                logitsMuls += n.name().contains("folded_scale") && Integer.valueOf(logitsType).equals(a) ? 1 : 0;
            }
        }
        assertEquals(List.of(), mixed, "Muls with inputs of different (or unknown) element types");
        assertEquals(layers.size(), logitsMuls, "one folded scale per layer, of the logits' type " + logitsType);

        Tensor x = Corpus.deterministicInput(Corpus.inputShape(export));
        float[] before = run(fp16, x, "fp16.onnx");
        float[] after = run(folded, x, "folded.onnx");
        double cos = cosine(before, after);
        assertTrue(cos > 0.99999, export + ": folding changed the FP16 outputs, cosine " + cos);
        assertTrue(Fixtures.maxAbsDiff(before, after) < 1e-2, "max abs diff " + Fixtures.maxAbsDiff(before, after));
    }

    private float[] run(OnnxModel m, Tensor x, String file) throws Exception {
        Path p = tmp.resolve(file);
        m.save(p);
        try (InferenceSession s = new OrtBackend().open(p, SessionOptions.defaults())) {
            Map<String, Tensor> out = s.run(Map.of("pixels", x));
            return out.get(m.graph().outputs().get(0).getName()).floats();
        }
    }

    private static double cosine(float[] reference, float[] candidate) {
        return Metrics.of(reference, candidate).cosine();
    }
}
