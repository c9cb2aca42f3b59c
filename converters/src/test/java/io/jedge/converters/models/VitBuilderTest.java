package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VitBuilderTest {
    @TempDir
    Path tmp;

    @Test
    void matchesTimmFromTheFixtureWeights() {
        Path dir = Fixtures.torchExport("vit224_legacy_op17");
        Safetensors w = Safetensors.open(dir.resolve("weights.safetensors"));
        OnnxModel m = VitBuilder.build(VitConfig.preset("micro"), w, new VanillaAttention());
        Path out = tmp.resolve("vit.onnx");
        m.save(out);
        float[] input = Fixtures.readF32(dir.resolve("input.f32"));
        float[] expected = Fixtures.readF32(dir.resolve("torch_output.f32"));
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            float[] got = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, input))).get("logits").floats();
            float diff = Fixtures.maxAbsDiff(expected, got);
            assertTrue(diff < 1e-4, "max abs diff vs timm " + diff);
        }
    }

    @Test
    void dynamicBatchAndSeededWeights() {
        VitConfig c = new VitConfig(32, 8, 32, 1, 2, 2, 5);
        OnnxModel m = VitBuilder.build(c, new SeededWeights(3), new VanillaAttention());
        Path out = tmp.resolve("small.onnx");
        m.save(out);
        float[] one = new float[3 * 32 * 32];
        for (int i = 0; i < one.length; i++) {
            one[i] = (float) Math.sin(i * 0.01);
        }
        float[] two = new float[one.length * 2];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(one, 0, two, one.length, one.length);
        try (InferenceSession s = new OrtBackend().open(out, SessionOptions.defaults())) {
            float[] a = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 32, 32}, one))).get("logits").floats();
            Tensor b = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {2, 3, 32, 32}, two))).get("logits");
            assertEquals(2, b.dim(0));
            for (int i = 0; i < 5; i++) {
                assertEquals(a[i], b.floats()[5 + i], 1e-5);
            }
        }
        // same seed, same weights; different seed, different weights
        float[] w1 = new SeededWeights(3).get("blocks.0.attn.qkv.weight", 96, 32);
        float[] w2 = new SeededWeights(3).get("blocks.0.attn.qkv.weight", 96, 32);
        float[] w3 = new SeededWeights(4).get("blocks.0.attn.qkv.weight", 96, 32);
        assertEquals(w1[7], w2[7]);
        assertTrue(w1[7] != w3[7]);
    }

    @Test
    void wrongWeightShapesAreNamed() {
        Path dir = Fixtures.torchExport("vit224_legacy_op17");
        Safetensors w = Safetensors.open(dir.resolve("weights.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VitBuilder.build(VitConfig.preset("micro").withDim(384).withHeads(6), w, new VanillaAttention()));
        assertTrue(e.getMessage().contains("patch_embed.proj.weight") && e.getMessage().contains("expected"), e.getMessage());
    }
}
