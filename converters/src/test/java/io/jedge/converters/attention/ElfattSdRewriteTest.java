package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ElfattSdRewriteTest {
    /** ORT float32 vs a double-precision Java reference on small shapes. */
    private static final float TOL = 1e-4f;

    private static Map<String, Tensor> pixels(Path dir) {
        return Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, Fixtures.readF32(dir.resolve("input.f32"))));
    }

    /**
     * With one block covering all tokens the local heads are exactly the model's own heads: isolate
     * the rewritten attention result of each layer and compare heads h/2..h-1 with the original.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vit224_legacy_op17", "vit224_dynamo_op23"})
    void localHeadsWithOneFullBlockAreExact(String fixture) {
        Path p = Fixtures.torchExport(fixture);
        OnnxModel original = OnnxModel.load(p.resolve("model.onnx"));
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(original, ElfattSdOptions.builder().block(197).build());
        assertEquals(List.of(0, 1), r.convertedLayers());
        // layer 0 sees identical inputs in both models, so its local heads must match the original's
        ElfattSdRewrite.Converted c = r.converted().get(0);
        assertEquals(1, c.agentHeads());
        assertEquals(2, c.localHeads());
        assertEquals(16, c.agents(), "4x4 agents pooled from the 14x14 grid");
        float[] want = AttentionTestSupport.run(original, pixels(p), c.originalOutput()).get(c.originalOutput()).floats();
        float[] got = AttentionTestSupport.run(r.model(), pixels(p), c.rewrittenOutput()).get(c.rewrittenOutput()).floats();
        float[][][] w = AttentionTestSupport.heads(want, 3, 197, 64);
        float[][][] g = AttentionTestSupport.heads(got, 3, 197, 64);
        assertTrue(AttentionTestSupport.maxDiff(w, g, 1, 3) < TOL, "local heads differ by " + AttentionTestSupport.maxDiff(w, g, 1, 3));
        assertTrue(AttentionTestSupport.maxDiff(w, g, 0, 1) > 1e-3, "the agent head is an approximation, not a copy");
        // the rewritten model still classifies: same output shape, finite values
        float[] logits = AttentionTestSupport.run(r.model(), pixels(p)).get(r.model().graph().outputs().get(0).getName()).floats();
        assertEquals(1000, logits.length);
        for (float f : logits) {
            assertTrue(Float.isFinite(f));
        }
    }

    @Test
    void fixtureRewriteMatchesJavaReferenceWithSmallBlocks() {
        Path p = Fixtures.torchExport("vit224_legacy_op17");
        OnnxModel original = OnnxModel.load(p.resolve("model.onnx"));
        AttentionBlock a = AttentionFinder.find(original.copy()).get(0);
        ElfattSdOptions o = ElfattSdOptions.builder().layers(List.of(0)).block(64).agents(16).shortcut(0.075).build();
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(original, o);
        Map<String, Tensor> qkv = AttentionTestSupport.run(original, pixels(p), a.query(), a.key(), a.value());
        float[][][] q = AttentionTestSupport.heads(qkv.get(a.query()).floats(), 3, 197, 64);
        float[][][] k = AttentionTestSupport.heads(qkv.get(a.key()).floats(), 3, 197, 64);
        float[][][] v = AttentionTestSupport.heads(qkv.get(a.value()).floats(), 3, 197, 64);
        // PyTorch adaptive pooling of 14 rows into 4 bins: [0,4) [3,7) [7,11) [10,14); token 0 is the class token
        int[][] bins = {{0, 4}, {3, 7}, {7, 11}, {10, 14}};
        int[][] groups = new int[16][];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                int[] g = new int[16];
                int n = 0;
                for (int rr = bins[i][0]; rr < bins[i][1]; rr++) {
                    for (int cc = bins[j][0]; cc < bins[j][1]; cc++) {
                        g[n++] = 1 + rr * 14 + cc;
                    }
                }
                groups[i * 4 + j] = g;
            }
        }
        float[][][] want = AttentionTestSupport.elfattSd(q, k, v, 0.125, groups, 64, 0.3, 0.075);
        String out = r.converted().get(0).rewrittenOutput();
        float[][][] got = AttentionTestSupport.heads(AttentionTestSupport.run(r.model(), pixels(p), out).get(out).floats(), 3, 197, 64);
        float diff = AttentionTestSupport.maxDiff(want, got, 0, 3);
        assertTrue(diff < TOL, "ELFATT-SD of block 0 differs from the Java reference by " + diff);
    }

    /** Synthetic graphs of every rewritable form against the Java reference: padded blocks, 1-D and 2-D agents. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void syntheticFormsMatchJavaReference(Kind kind) {
        int n = 64;
        int c = 32;
        int h = 4;
        int d = c / h;
        OnnxModel m = AttentionTestSupport.transformerAttention(kind, n, c, h, 3);
        AttentionBlock a = AttentionFinder.find(m.copy()).get(0);
        assertTrue(a.supported(), a.note());
        // 64 tokens = an 8x8 grid: 4 agents average 4x4 quadrants; blocks of 24 tokens pad 64 to 72
        ElfattSdOptions o = ElfattSdOptions.builder().block(24).agents(4).build();
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(m, o);
        Map<String, Tensor> feed = Map.of("x", Tensor.ofFloats(new long[] {1, n, c}, AttentionTestSupport.gaussian(new Random(5), n * c, 1)));
        float[][][] q;
        float[][][] k;
        float[][][] v;
        if (kind == Kind.MS_ATTENTION) {
            // recompute the packed projection from the graph's own weight and bias
            Graph g = m.graph();
            float[] w = g.floats(g.initializer("blocks.0.attn.qkv.weight").orElseThrow());
            float[] bias = g.floats(g.initializer("blocks.0.attn.qkv.bias").orElseThrow());
            float[] x = feed.get("x").floats();
            float[] qkv = new float[n * 3 * c];
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < 3 * c; j++) {
                    double s = bias[j];
                    for (int i = 0; i < c; i++) {
                        s += (double) x[t * c + i] * w[i * 3 * c + j];
                    }
                    qkv[t * 3 * c + j] = (float) s;
                }
            }
            float[][] parts = new float[3][n * c];
            for (int t = 0; t < n; t++) {
                for (int p = 0; p < 3; p++) {
                    System.arraycopy(qkv, t * 3 * c + p * c, parts[p], t * c, c);
                }
            }
            q = AttentionTestSupport.splitPacked(parts[0], h, n, d);
            k = AttentionTestSupport.splitPacked(parts[1], h, n, d);
            v = AttentionTestSupport.splitPacked(parts[2], h, n, d);
        } else {
            Map<String, Tensor> t = AttentionTestSupport.run(m, feed, a.query(), a.key(), a.value());
            boolean packed = t.get(a.query()).rank() == 3;
            q = packed ? AttentionTestSupport.splitPacked(t.get(a.query()).floats(), h, n, d) : AttentionTestSupport.heads(t.get(a.query()).floats(), h, n, d);
            k = packed ? AttentionTestSupport.splitPacked(t.get(a.key()).floats(), h, n, d) : AttentionTestSupport.heads(t.get(a.key()).floats(), h, n, d);
            v = packed ? AttentionTestSupport.splitPacked(t.get(a.value()).floats(), h, n, d) : AttentionTestSupport.heads(t.get(a.value()).floats(), h, n, d);
        }
        int[][] groups = quadrants();
        float[][][] want = AttentionTestSupport.elfattSd(q, k, v, 1 / Math.sqrt(d), groups, 24, 0.3, 0);
        String out = r.converted().get(0).rewrittenOutput();
        Tensor res = AttentionTestSupport.run(r.model(), feed, out).get(out);
        float[][][] got = res.rank() == 3 ? AttentionTestSupport.splitPacked(res.floats(), h, n, d) : AttentionTestSupport.heads(res.floats(), h, n, d);
        float diff = AttentionTestSupport.maxDiff(want, got, 0, h);
        assertTrue(diff < TOL, kind + ": ELFATT-SD differs from the Java reference by " + diff);
        assertTrue(AttentionTestSupport.run(r.model(), feed).containsKey("y"));
    }

    /** Token indices of the four 4x4 quadrants of an 8x8 grid. */
    private static int[][] quadrants() {
        int[][] g = new int[4][16];
        int[] fill = new int[4];
        for (int t = 0; t < 64; t++) {
            int quadrant = (t / 8 / 4) * 2 + (t % 8) / 4;
            g[quadrant][fill[quadrant]++] = t;
        }
        return g;
    }

    @Test
    void ditLikeSequenceWithoutGridUsesSequencePooling() {
        // 20 tokens form no grid: 4 agents average 5 consecutive tokens each
        int n = 20;
        Graph g = new Graph("qkv", null);
        GraphBuilder b = new GraphBuilder(g);
        String q = b.input("q", TensorData.FLOAT, new long[] {1, 2, n, 8});
        String k = b.input("k", TensorData.FLOAT, new long[] {1, 2, n, 8});
        String v = b.input("v", TensorData.FLOAT, new long[] {1, 2, n, 8});
        String s = b.constFloat("s", (float) Math.pow(8, -0.25));
        String o = b.matMul(b.softmax(b.matMul(b.mul(q, s), b.mul(b.transpose(k, 0, 1, 3, 2), s)), -1), v);
        b.output(o, o, TensorData.FLOAT, new long[] {1, 2, n, 8}); // the PV MatMul writes the graph output itself
        OnnxModel m = new OnnxModel(8, Map.of("", 17L), g);
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(m, ElfattSdOptions.builder().block(8).agents(4).shortcut(0.075).agentScaleExponent(1).build());
        assertEquals(o, r.converted().get(0).rewrittenOutput(), "a graph output keeps its name");
        Random rnd = new Random(9);
        Map<String, Tensor> feed = Map.of("q", Tensor.ofFloats(new long[] {1, 2, n, 8}, AttentionTestSupport.gaussian(rnd, 2 * n * 8, 1)),
                "k", Tensor.ofFloats(new long[] {1, 2, n, 8}, AttentionTestSupport.gaussian(rnd, 2 * n * 8, 1)),
                "v", Tensor.ofFloats(new long[] {1, 2, n, 8}, AttentionTestSupport.gaussian(rnd, 2 * n * 8, 1)));
        int[][] groups = {{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}, {10, 11, 12, 13, 14}, {15, 16, 17, 18, 19}};
        float[][][] want = AttentionTestSupport.elfattSd(AttentionTestSupport.heads(feed.get("q").floats(), 2, n, 8),
                AttentionTestSupport.heads(feed.get("k").floats(), 2, n, 8), AttentionTestSupport.heads(feed.get("v").floats(), 2, n, 8),
                1 / Math.sqrt(8), groups, 8, 1, 0.075);
        float[][][] got = AttentionTestSupport.heads(AttentionTestSupport.run(r.model(), feed).get(o).floats(), 2, n, 8);
        assertTrue(AttentionTestSupport.maxDiff(want, got, 0, 2) < TOL, "differs by " + AttentionTestSupport.maxDiff(want, got, 0, 2));
        assertTrue(r.model().graph().nodes().stream().noneMatch(x -> x.name().equals(AttentionFinder.find(m.copy()).get(0).node())),
                "the vanilla Softmax is gone");
    }

    @Test
    void poolingMatrixRowsAverageAndSkipTheClassToken() {
        float[] p = ElfattSdRewrite.poolingMatrix(197, 1, 14, 14, 16);
        for (int i = 0; i < 16; i++) {
            double sum = 0;
            for (int t = 0; t < 197; t++) {
                sum += p[i * 197 + t];
            }
            assertEquals(1, sum, 1e-5);
            assertEquals(0f, p[i * 197], "class token column");
        }
        // agent (1,1) covers rows 3..6 and columns 3..6: 16 tokens
        assertEquals(1f / 16, p[5 * 197 + 1 + 3 * 14 + 3], 1e-7);
        assertEquals(0f, p[5 * 197 + 1 + 2 * 14 + 3]);
    }

    @Test
    void automaticAgentCount() {
        AttentionBlock vit = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.MS_MHA, 197, 48, 6, 1)).get(0);
        assertEquals(16, ElfattSdRewrite.agentCount(vit, 0));
        assertEquals(9, ElfattSdRewrite.agentCount(vit, 9));
        AttentionBlock big = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.MS_MHA, 4096, 16, 2, 1)).get(0);
        assertEquals(256, ElfattSdRewrite.agentCount(big, 0), "N/16 agents at 64x64, as AgentSD");
    }

    @Test
    void unsupportedOrMissingLayersAreRejectedByName() {
        OnnxModel swin = OnnxModel.load(Fixtures.torchExport("swin224_dynamo_op18").resolve("model.onnx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ElfattSdRewrite.rewrite(swin, ElfattSdOptions.builder().layers(List.of(2)).build()));
        assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("window-biased"), e.getMessage());
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.MS_MHA, 16, 16, 2, 1);
        e = assertThrows(IllegalArgumentException.class, () -> ElfattSdRewrite.rewrite(m, ElfattSdOptions.builder().layers(List.of(3)).build()));
        assertTrue(e.getMessage().contains("has 1 attention blocks"), e.getMessage());
        // nothing supported: the default converts nothing and leaves the graph alone
        assertTrue(ElfattSdRewrite.rewrite(swin, ElfattSdOptions.defaults()).converted().isEmpty());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> ElfattSdOptions.builder().block(0).build());
        assertThrows(IllegalArgumentException.class, () -> ElfattSdOptions.builder().agents(-1).build());
        assertThrows(IllegalArgumentException.class, () -> ElfattSdOptions.builder().agentScaleExponent(0).build());
        assertThrows(IllegalArgumentException.class, () -> ElfattSdOptions.builder().shortcut(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> ElfattSdOptions.builder().layers(List.of(-1)).build());
        ElfattSdOptions o = ElfattSdOptions.defaults();
        assertEquals(ElfattSdOptions.DEFAULT_BLOCK, o.block());
        assertEquals(0.0, o.shortcut());
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void oldOpsetIsRefused() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_SPLIT_SCALE, 16, 16, 2, 1);
        OnnxModel old = new OnnxModel(7, Map.of("", 12L), m.graph());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElfattSdRewrite.rewrite(old, ElfattSdOptions.defaults()));
        assertTrue(e.getMessage().contains("opset 12"), e.getMessage());
        assertTrue(m.graph().nodes().stream().anyMatch(n -> n.is("Softmax")));
    }
}
