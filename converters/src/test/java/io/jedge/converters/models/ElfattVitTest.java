package io.jedge.converters.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.AttentionForm;
import io.jedge.converters.attention.Attentions;
import io.jedge.converters.attention.BlockLayout;
import io.jedge.converters.attention.ElfattOptions;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ViTs with ELFATT attention: build, run with dynamic batch, and the vanilla limit case. */
class ElfattVitTest {
    @TempDir
    Path tmp;

    private static final VitConfig SMALL = new VitConfig(48, 8, 32, 2, 4, 2, 7); // 6x6 grid + class token

    @ParameterizedTest
    @EnumSource(AttentionForm.class)
    void elfattVitRunsWithDynamicBatch(AttentionForm form) {
        ElfattOptions o = ElfattOptions.builder().blocks(BlockLayout.windows(4)).softmaxForm(form).build();
        OnnxModel m = VitBuilder.build(SMALL, new SeededWeights(3, 0.2), Attentions.byName("elfatt", o));
        assertEquals("elfatt", m.metadata().get("jedge.attention"));
        float[][] r = HierarchicalBuilderTest.runTwoBatches(m, tmp.resolve("vit.onnx"), SMALL.imageSize());
        for (int i = 0; i < SMALL.classes(); i++) {
            assertTrue(Float.isFinite(r[0][i]));
            assertEquals(r[0][i], r[1][i], 1e-4, "same image alone and in a batch of 2, class " + i);
        }
        if (form == AttentionForm.ONNX_ATTENTION) {
            assertEquals(23L, m.opset());
        }
    }

    @Test
    void allLocalWithOneBlockIsTheVanillaVit() {
        SeededWeights w = new SeededWeights(8, 0.2);
        float[] vanilla = HierarchicalBuilderTest.runTwoBatches(VitBuilder.build(SMALL, w, new VanillaAttention()), tmp.resolve("v.onnx"),
                SMALL.imageSize())[1];
        ElfattOptions allLocal = ElfattOptions.builder().split(0, 1).blocks(BlockLayout.windows(6)).lepe(false).build();
        float[] local = HierarchicalBuilderTest.runTwoBatches(VitBuilder.build(SMALL, w, Attentions.byName("elfatt", allLocal)),
                tmp.resolve("e.onnx"), SMALL.imageSize())[1];
        double diff = 0;
        for (int i = 0; i < vanilla.length; i++) {
            diff = Math.max(diff, Math.abs(vanilla[i] - local[i]));
        }
        assertTrue(diff < 1e-5, "c2 = C with one block vs vanilla ViT: max abs diff " + diff);
        // and a real ELFATT split does change the model
        float[] elfatt = HierarchicalBuilderTest.runTwoBatches(VitBuilder.build(SMALL, w, Attentions.byName("elfatt",
                ElfattOptions.builder().lepe(false).build())), tmp.resolve("x.onnx"), SMALL.imageSize())[1];
        double change = 0;
        for (int i = 0; i < vanilla.length; i++) {
            change = Math.max(change, Math.abs(vanilla[i] - elfatt[i]));
        }
        assertTrue(change > 1e-4, "1:1 ELFATT gave the vanilla logits (diff " + change + ")");
    }
}
