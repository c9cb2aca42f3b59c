package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.AttentionForm;
import io.jedge.converters.attention.BlockLayout;
import io.jedge.converters.attention.ElfattAttention;
import io.jedge.converters.attention.ElfattOptions;
import io.jedge.converters.attention.FusedAttention;
import io.jedge.converters.attention.WindowAttention;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.AttentionKind;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HierarchicalBuilderTest {
    @TempDir
    Path tmp;

    private static final HierarchicalConfig TINY = HierarchicalConfig.preset("tiny");

    static float[] pixels(int batch, int size) {
        float[] x = new float[batch * 3 * size * size];
        int per = 3 * size * size;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin((i % per) * 0.013 + 0.3) * (1 + (i / per));
        }
        return x;
    }

    /** Runs batch 1 and batch 2 (sample 0 repeated as sample 0 of the pair); returns [batch-1 logits, batch-2 logits]. */
    static float[][] runTwoBatches(OnnxModel m, Path file, int size) {
        m.save(file);
        try (InferenceSession s = new OrtBackend().open(file, SessionOptions.builder().threads(1).build())) {
            float[] two = pixels(2, size);
            float[] one = java.util.Arrays.copyOf(two, 3 * size * size);
            float[] a = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, size, size}, one))).get("logits").floats();
            Tensor b = s.run(Map.of("pixels", Tensor.ofFloats(new long[] {2, 3, size, size}, two))).get("logits");
            assertEquals(2, b.dim(0));
            return new float[][] {a, b.floats()};
        }
    }

    @ParameterizedTest
    @EnumSource(value = AttentionKind.class, names = {"VANILLA", "WINDOW", "ELFATT", "HYBRID"})
    void everyPlanBuildsAndRunsWithDynamicBatch(AttentionKind kind) {
        // tiny grids 16/8/4/2 with 4x4 windows: stages 1-2 have several blocks, 3-4 one
        ElfattOptions o = ElfattOptions.builder().blocks(BlockLayout.windows(4)).build();
        OnnxModel m = HierarchicalBuilder.build(TINY, new SeededWeights(2, 0.2), HierarchicalAttention.uniform(kind, o));
        float[][] r = runTwoBatches(m, tmp.resolve(kind.id() + ".onnx"), TINY.imageSize());
        assertEquals(TINY.classes(), r[0].length);
        for (int i = 0; i < r[0].length; i++) {
            assertTrue(Float.isFinite(r[0][i]), "logit " + i + " = " + r[0][i]);
            assertEquals(r[0][i], r[1][i], 1e-4, "batch-1 and batch-2 logits of the same image, class " + i);
        }
        // the second image differs, so its logits must too
        double diff = 0;
        for (int i = 0; i < r[0].length; i++) {
            diff = Math.max(diff, Math.abs(r[1][i] - r[1][TINY.classes() + i]));
        }
        assertTrue(diff > 1e-6, "two different images gave the same logits");
        assertEquals(kind.id(), m.metadata().get("jedge.attention"));
        assertEquals(1L, m.opsets().get("com.microsoft"), "the default softmax form is MultiHeadAttention");
    }

    @Test
    void hybridLayering() {
        HierarchicalAttention h = HierarchicalAttention.hybrid(ElfattOptions.defaults()).withBlocks(7, 7, 14, 7);
        assertEquals(AttentionKind.ELFATT, h.layerKind(0, 1));
        assertEquals(AttentionKind.ELFATT, h.layerKind(1, 0));
        assertEquals(AttentionKind.VANILLA, h.layerKind(2, 0));
        assertEquals(AttentionKind.ELFATT, h.layerKind(2, 1));
        assertEquals(AttentionKind.VANILLA, h.layerKind(2, 4));
        assertEquals(AttentionKind.VANILLA, h.layerKind(3, 0));
        assertTrue(h.emitter(2, 1) instanceof ElfattAttention e && e.options().blocks().equals(BlockLayout.windows(14)));
        assertTrue(h.emitter(3, 0) instanceof FusedAttention);
        assertTrue(HierarchicalAttention.uniform(AttentionKind.WINDOW, ElfattOptions.defaults()).emitter(0, 0) instanceof WindowAttention);
        assertEquals(AttentionKind.HYBRID, h.modelKind());
        assertThrows(IllegalArgumentException.class,
                () -> HierarchicalAttention.uniform(AttentionKind.ELFATT_SD, ElfattOptions.defaults()));
    }

    @Test
    void weightNamesRoundTripThroughSafetensors() throws Exception {
        ElfattOptions o = ElfattOptions.builder().blocks(BlockLayout.chunks(20)).softmaxForm(AttentionForm.DECOMPOSED).build();
        HierarchicalAttention plan = HierarchicalAttention.hybrid(o).withBlocks(List.of(BlockLayout.chunks(20), BlockLayout.windows(3),
                BlockLayout.windows(4), BlockLayout.whole()));
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        SeededWeights seeded = new SeededWeights(5, 0.2);
        WeightSource recording = new WeightSource() {
            @Override
            public float[] get(String name, long... shape) {
                float[] v = seeded.get(name, shape);
                tensors.put(name, v);
                shapes.put(name, shape);
                return v;
            }

            @Override
            public boolean has(String name) {
                return true;
            }

            @Override
            public String describe() {
                return "recording";
            }
        };
        OnnxModel fromSeed = HierarchicalBuilder.build(TINY, recording, plan);
        assertTrue(shapes.containsKey("layers.1.downsample.reduction.weight"));
        assertTrue(java.util.Arrays.equals(new long[] {64, 128}, shapes.get("layers.1.downsample.reduction.weight")));
        assertTrue(shapes.containsKey("layers.0.blocks.0.attn.lepe_global.weight"));
        assertTrue(shapes.containsKey("layers.2.blocks.0.attn.lepe_local.weight")); // vanilla layer with LePE
        assertTrue(!shapes.containsKey("layers.2.blocks.0.attn.lepe_global.weight"));
        assertTrue(shapes.containsKey("head.fc.weight") && shapes.containsKey("patch_embed.norm.weight"));
        Path st = tmp.resolve("w.safetensors");
        Safetensors.write(st, tensors, shapes);
        OnnxModel fromFile = HierarchicalBuilder.build(TINY, Safetensors.open(st), plan);
        float[] a = runTwoBatches(fromSeed, tmp.resolve("a.onnx"), TINY.imageSize())[0];
        float[] b = runTwoBatches(fromFile, tmp.resolve("b.onnx"), TINY.imageSize())[0];
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6);
        }
    }

    @Test
    void presetsAndValidation() {
        HierarchicalConfig swin = HierarchicalConfig.preset("swin-t");
        assertEquals(List.of(56, 28, 14, 7), List.of(swin.grid(0), swin.grid(1), swin.grid(2), swin.grid(3)));
        assertEquals(768, swin.dim(3));
        assertEquals(List.of(2, 4, 18, 1), HierarchicalConfig.preset("cswin-t").depths());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> swin.withImageSize(200));
        assertTrue(e.getMessage().contains("200") && e.getMessage().contains("32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HierarchicalConfig.preset("swin-xl"));
    }
}
