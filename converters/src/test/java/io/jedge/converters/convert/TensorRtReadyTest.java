package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.AttentionForm;
import io.jedge.converters.attention.FusedAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.precision.QuantProfile;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --profile tensorrt}: the ONNX variants are written ready for a device to build its engines from. */
class TensorRtReadyTest {
    @TempDir
    Path tmp;

    @Test
    void attentionOpsAreLoweredAndTheOutputsStayTheSame() throws Exception {
        Path model = tmp.resolve("vit.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(3), new FusedAttention(AttentionForm.ONNX_ATTENTION))
                .save(model);
        assertTrue(OnnxModel.load(model).graph().nodes().stream().anyMatch(n -> n.is("Attention")), "the source uses opset-23 Attention");
        PrecisionOptions po = PrecisionOptions.builder().int8(Int8Options.builder().profile(QuantProfile.TENSORRT).build()).build();
        Bundle b = new Converter(l -> { }).convert(model, tmp.resolve("b"), ConversionOptions.builder()
                .precisions(List.of(Precision.FP32)).precision(po).build());
        Variant v = b.manifest().variants().get(0);
        assertEquals("true", v.attributes().get("tensorrtReady"));
        assertFalse(OnnxModel.load(b.resolve(v)).graph().nodes().stream().anyMatch(n -> n.is("Attention")), "Attention lowered");

        sameLogits(model, b.resolve(v), 5);

        Bundle plain = new Converter(l -> { }).convert(model, tmp.resolve("plain"), ConversionOptions.builder()
                .precisions(List.of(Precision.FP32)).build());
        assertFalse(plain.manifest().variants().get(0).attributes().containsKey("tensorrtReady"), "ONNX Runtime bundles are left as exported");
    }

    @Test
    void onnxRuntimeMultiHeadAttentionIsLoweredForTensorRt() throws Exception {
        Path model = tmp.resolve("mha.onnx");
        VitBuilder.build(new VitConfig(32, 8, 32, 2, 2, 2, 10), new SeededWeights(4), new FusedAttention(AttentionForm.CONTRIB_MHA))
                .save(model);
        assertTrue(OnnxModel.load(model).graph().nodes().stream().anyMatch(n -> n.domain().equals("com.microsoft")), "the source uses contrib MHA");
        PrecisionOptions po = PrecisionOptions.builder().int8(Int8Options.builder().profile(QuantProfile.TENSORRT).build()).build();
        Bundle b = new Converter(l -> { }).convert(model, tmp.resolve("b"), ConversionOptions.builder()
                .precisions(List.of(Precision.FP32)).precision(po).build());
        Variant v = b.manifest().variants().get(0);
        assertEquals("true", v.attributes().get("tensorrtReady"));
        assertFalse(OnnxModel.load(b.resolve(v)).graph().nodes().stream().anyMatch(n -> n.domain().equals("com.microsoft")),
                "nothing TensorRT's parser lacks");
        sameLogits(model, b.resolve(v), 6);
    }

    /** Both models give the same logits (1e-4) on two seeded 32 px images. */
    static void sameLogits(Path original, Path rewritten, long seed) throws Exception {
        Map<String, Tensor> in = SeededInputs.feed(List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 32L, 32L))), 2, seed);
        OrtBackend ort = new OrtBackend();
        float[] before;
        float[] after;
        try (InferenceSession s = ort.open(original, SessionOptions.defaults())) {
            before = s.run(in).values().iterator().next().floats();
        }
        try (InferenceSession s = ort.open(rewritten, SessionOptions.defaults())) {
            after = s.run(in).values().iterator().next().floats();
        }
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], 1e-4, "logit " + i);
        }
    }
}
