package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.reference.ReferenceElfattLayer;
import io.jedge.converters.attention.reference.ReferenceElfattLayer.Blocks;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each emitted layer, run in ONNX Runtime CPU (FP32), against the plain-Java reference.
 * Tolerance: 2e-5 absolute on outputs of magnitude ~1 (float32 rounding of the graph's
 * summation orders; the reference accumulates in double).
 */
class ElfattAttentionTest {
    private static final double TOL = 2e-5;
    private static final int BATCH = 2;

    @TempDir
    Path tmp;

    private final RandomWeights weights = new RandomWeights(11, 0.3);

    /** Builds the layer, runs a batch of 2, compares both samples with the reference. */
    private void check(AttentionEmitter e, TokenLayout l, int globalHeads, Blocks blocks, boolean lepe) {
        OnnxModel m = LayerGraphs.oneLayer(e, l, weights);
        float[] x = RandomWeights.input(5, BATCH, l.tokens(), l.dim());
        float[] y = LayerGraphs.run(m, tmp.resolve("layer.onnx"), BATCH, l, x);
        double worst = 0;
        for (int i = 0; i < BATCH; i++) {
            float[][] ref = ReferenceElfattLayer.forward(RandomWeights.sample(x, i, l.tokens(), l.dim()), "layer.attn", weights,
                    l.prefixTokens(), l.gridH(), l.gridW(), l.heads(), globalHeads, blocks, lepe);
            float[][] got = RandomWeights.sample(y, i, l.tokens(), l.dim());
            for (int t = 0; t < ref.length; t++) {
                for (int c = 0; c < ref[t].length; c++) {
                    worst = Math.max(worst, Math.abs(ref[t][c] - got[t][c]));
                }
            }
        }
        assertTrue(worst < TOL, e.kind() + " max abs diff vs reference " + worst);
    }

    private static ElfattOptions.Builder opts() {
        return ElfattOptions.builder().softmaxForm(AttentionForm.DECOMPOSED);
    }

    @Test
    void pureEfficientAttentionWithClassToken() {
        TokenLayout l = new TokenLayout(1, 5, 6, 16, 2);
        check(new ElfattAttention(opts().split(1, 0).lepe(false).build()), l, 2, Blocks.whole(), false);
        check(new ElfattAttention(opts().split(1, 0).lepe(true).build()), l, 2, Blocks.whole(), true);
    }

    @Test
    void windowsWithPaddingAndLepe() {
        TokenLayout l = new TokenLayout(0, 5, 7, 16, 2); // 5x7 grid, 3x3 windows → padded to 6x9
        check(new WindowAttention(BlockLayout.windows(3), true, AttentionForm.DECOMPOSED), l, 0, Blocks.windows(3), true);
        check(new WindowAttention(BlockLayout.windows(3), false, AttentionForm.DECOMPOSED), l, 0, Blocks.windows(3), false);
    }

    @Test
    void windowsWithClassToken() {
        TokenLayout l = new TokenLayout(1, 6, 5, 16, 2);
        check(new WindowAttention(BlockLayout.windows(4), true, AttentionForm.DECOMPOSED), l, 0, Blocks.windows(4), true);
    }

    @Test
    void chunksWithPadding() {
        TokenLayout l = new TokenLayout(1, 5, 5, 16, 2); // 25 tokens in chunks of 7 → 4 chunks, 3 padded
        check(new WindowAttention(BlockLayout.chunks(7), true, AttentionForm.DECOMPOSED), l, 0, Blocks.chunks(7), true);
        TokenLayout single = new TokenLayout(0, 4, 4, 16, 2); // one chunk of all 16 tokens: 1x16 strip LePE
        check(new WindowAttention(BlockLayout.chunks(64), true, AttentionForm.DECOMPOSED), single, 0, Blocks.chunks(64), true);
    }

    @ParameterizedTest
    @EnumSource(AttentionForm.class)
    void elfattHalfAndHalfInEveryForm(AttentionForm form) {
        TokenLayout l = new TokenLayout(1, 6, 5, 32, 4);
        ElfattAttention e = new ElfattAttention(ElfattOptions.builder().softmaxForm(form).blocks(BlockLayout.windows(4)).build());
        check(e, l, 2, Blocks.windows(4), true);
        assertEquals(form.opsets(), e.opsets());
    }

    /**
     * One unpadded window over the grid: both heads' LePE is one depthwise conv after the concat, in each form's layout
     * (shifted sums in the decomposed form, where both heads also run as one attention).
     */
    @ParameterizedTest
    @EnumSource(AttentionForm.class)
    void elfattOneWindowSharedLepeInEveryForm(AttentionForm form) {
        TokenLayout l = new TokenLayout(1, 4, 5, 32, 4);
        check(new ElfattAttention(ElfattOptions.builder().softmaxForm(form).blocks(BlockLayout.windows(5)).build()), l, 2, Blocks.windows(5), true);
        TokenLayout noPrefix = new TokenLayout(0, 3, 3, 32, 4);
        check(new ElfattAttention(ElfattOptions.builder().softmaxForm(form).blocks(BlockLayout.windows(3)).build()), noPrefix, 2, Blocks.windows(3), true);
    }

    /** The decomposed form's shared attention needs tokens ≥ d and at most a window's tokens; otherwise the two heads run apart. */
    @Test
    void decomposedFormOutsideTheSharedAttentionsRange() {
        TokenLayout fewTokens = new TokenLayout(0, 2, 2, 32, 2); // 4 tokens, d = 16
        check(new ElfattAttention(opts().blocks(BlockLayout.windows(2)).build()), fewTokens, 1, Blocks.windows(2), true);
        TokenLayout longWhole = new TokenLayout(1, 25, 25, 16, 2); // 626 tokens in one block
        ElfattAttention whole = new ElfattAttention(opts().blocks(BlockLayout.whole()).build());
        check(whole, longWhole, 1, Blocks.whole(), true);
        long softmaxes = LayerGraphs.oneLayer(whole, longWhole, weights).graph().nodes().stream()
                .filter(n -> n.opType().equals("Softmax")).count();
        assertEquals(3, softmaxes, "global head (q and k softmax) and local head apart, not one shared attention");
    }

    @Test
    void elfattThreeToOneWithChunks() {
        TokenLayout l = new TokenLayout(0, 4, 6, 32, 4);
        check(new ElfattAttention(opts().split(3, 1).blocks(BlockLayout.chunks(10)).build()), l, 3, Blocks.chunks(10), true);
    }

    @Test
    void oneBlockOverTheWholeGridIsVanilla() {
        TokenLayout l = new TokenLayout(1, 4, 4, 16, 2);
        // the reference's generic block path (prefix as global tokens) against the emitter's shortcut
        check(new ElfattAttention(opts().split(0, 1).blocks(BlockLayout.windows(4)).lepe(false).build()), l, 0, Blocks.windows(4), false);
        check(new ElfattAttention(opts().split(0, 1).blocks(BlockLayout.windows(4)).lepe(false).build()), l, 0, Blocks.whole(), false);
        // and against timm-style vanilla attention in ONNX Runtime
        float[] x = RandomWeights.input(9, BATCH, l.tokens(), l.dim());
        float[] vanilla = LayerGraphs.run(LayerGraphs.oneLayer(new VanillaAttention(), l, weights), tmp.resolve("v.onnx"), BATCH, l, x);
        float[] window = LayerGraphs.run(LayerGraphs.oneLayer(new WindowAttention(16), l, weights), tmp.resolve("w.onnx"), BATCH, l, x);
        assertTrue(maxDiff(vanilla, window) < 1e-5, "window covering the grid vs vanilla " + maxDiff(vanilla, window));
    }

    @ParameterizedTest
    @EnumSource(AttentionForm.class)
    void fusedFormsEqualVanilla(AttentionForm form) {
        TokenLayout l = new TokenLayout(1, 5, 5, 24, 3);
        float[] x = RandomWeights.input(4, BATCH, l.tokens(), l.dim());
        float[] vanilla = LayerGraphs.run(LayerGraphs.oneLayer(new VanillaAttention(), l, weights), tmp.resolve("v.onnx"), BATCH, l, x);
        float[] fused = LayerGraphs.run(LayerGraphs.oneLayer(new FusedAttention(form), l, weights), tmp.resolve("f.onnx"), BATCH, l, x);
        assertTrue(maxDiff(vanilla, fused) < 1e-5, form + " vs decomposed vanilla " + maxDiff(vanilla, fused));
        check(new FusedAttention(form, true), l, 0, Blocks.whole(), true);
    }

    @Test
    void fusedModelsDeclareTheirOpsets() {
        TokenLayout l = new TokenLayout(0, 2, 2, 8, 2);
        OnnxModel mha = LayerGraphs.oneLayer(new FusedAttention(AttentionForm.CONTRIB_MHA), l, weights);
        assertEquals(1L, mha.opsets().get("com.microsoft"));
        OnnxModel att = LayerGraphs.oneLayer(new FusedAttention(AttentionForm.ONNX_ATTENTION), l, weights);
        assertEquals(23L, att.opset());
        assertTrue(mha.graph().nodes().stream().anyMatch(n -> n.opType().equals("MultiHeadAttention") && n.domain().equals("com.microsoft")));
        // the global head never uses a fused op, whatever the local form
        OnnxModel pureGlobal = LayerGraphs.oneLayer(new ElfattAttention(ElfattOptions.builder().split(1, 0).build()), l, weights);
        assertTrue(pureGlobal.graph().nodes().stream().noneMatch(n -> n.opType().contains("Attention")));
        assertTrue(pureGlobal.opsets().size() == 1 && pureGlobal.opset() == 17);
    }

    @Test
    void splitByHeads() {
        ElfattOptions half = ElfattOptions.defaults();
        assertEquals(2, half.globalHeads(4));
        assertEquals(2, half.globalHeads(3)); // 1.5 rounds up to the cheaper global head
        assertEquals(3, ElfattOptions.builder().split(3, 1).build().globalHeads(4));
        assertEquals(1, ElfattOptions.builder().split(1, 7).build().globalHeads(3)); // at least one of each
        assertEquals(4, ElfattOptions.builder().split(1, 0).build().globalHeads(4));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> half.globalHeads(1));
        assertTrue(one.getMessage().contains("2 heads"), one.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> ElfattOptions.builder().split(0, 0).build());
        assertTrue(zero.getMessage().contains("0:0"), zero.getMessage());
    }

    @Test
    void namesAndLayoutsParse() {
        assertEquals(BlockLayout.windows(14), BlockLayout.parse("14x14"));
        assertEquals(BlockLayout.windows(7), BlockLayout.parse("windows:7"));
        assertEquals(BlockLayout.chunks(196), BlockLayout.parse("chunks:196"));
        assertEquals(BlockLayout.whole(), BlockLayout.parse("whole"));
        assertThrows(IllegalArgumentException.class, () -> BlockLayout.parse("14x7"));
        assertEquals(AttentionForm.CONTRIB_MHA, AttentionForm.parse("mha"));
        assertTrue(Attentions.byName("elfatt", ElfattOptions.defaults()) instanceof ElfattAttention);
        assertTrue(Attentions.byName("window", ElfattOptions.defaults()) instanceof WindowAttention);
        assertTrue(Attentions.byName("fused", ElfattOptions.defaults()) instanceof FusedAttention);
        assertTrue(Attentions.byName("Vanilla", ElfattOptions.defaults()) instanceof VanillaAttention);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attentions.byName("linformer", ElfattOptions.defaults()));
        assertTrue(e.getMessage().contains("linformer") && e.getMessage().contains("elfatt"), e.getMessage());
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
