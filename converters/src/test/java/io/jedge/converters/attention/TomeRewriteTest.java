package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TomeRewriteTest {
    /** ORT float32 vs a double-precision Java reference. */
    private static final float TOL = 2e-4f;

    private static Map<String, Tensor> pixels(Path dir) {
        return Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, Fixtures.readF32(dir.resolve("input.f32"))));
    }

    @Test
    void ratioOutsideTheOpenIntervalIsRefusedInOneLine() {
        for (double r : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TomeOptions.of(r));
            assertTrue(e.getMessage().startsWith("--tome " + r + ", expected a merge ratio between 0 and 1"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"));
        }
        assertEquals(0.25, TomeOptions.of(0.25).ratio());
    }

    @Test
    void oneDestinationPerTwoByTwoCellAndPrefixTokensAreDestinations() {
        AttentionBlock a = block(1 + 14 * 14, 14, 14, 1);
        int[][] split = TomeRewrite.split(a, 7);
        int[] src = split[0];
        int[] dst = split[1];
        assertEquals(1 + 49, dst.length, "the class token and one of each of the 49 cells");
        assertEquals(0, dst[0]);
        int[] perCell = new int[49];
        for (int i = 1; i < dst.length; i++) {
            int t = dst[i] - 1;
            perCell[(t / 14 / 2) * 7 + (t % 14) / 2]++;
        }
        for (int c : perCell) {
            assertEquals(1, c);
        }
        Set<Integer> all = new HashSet<>();
        for (int s : src) {
            all.add(s);
        }
        for (int d : dst) {
            assertTrue(all.add(d), "token " + d + " is both source and destination");
        }
        assertEquals(197, all.size());
        // another seed draws other destinations; the same seed the same ones (a deterministic export)
        assertTrue(!java.util.Arrays.equals(dst, TomeRewrite.split(a, 8)[1]));
        assertTrue(java.util.Arrays.equals(dst, TomeRewrite.split(a, 7)[1]));
        // ratio 0.5 merges half the tokens; 0.9 is capped by the 147 sources
        assertEquals(98, TomeRewrite.mergeCount(a, 0.5));
        assertEquals(147, TomeRewrite.mergeCount(a, 0.9));
    }

    /** The ViT fixture (class token, 14×14 grid): layer 0's merged attention equals a plain-Java ToMe on its own Q, K, V. */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.9})
    void vitLayerMatchesJavaReference(double ratio) {
        Path p = Fixtures.torchExport("vit224_legacy_op17");
        OnnxModel original = OnnxModel.load(p.resolve("model.onnx"));
        AttentionBlock a = AttentionFinder.find(original.copy()).get(0);
        TomeOptions o = new TomeOptions(ratio, List.of(0), 3);
        TomeRewrite.Result r = TomeRewrite.rewrite(original, o, null);
        TomeRewrite.Merged m = r.merged().get(0);
        assertEquals(197, m.tokens());
        assertEquals(TomeRewrite.mergeCount(a, ratio), m.merged());
        Map<String, Tensor> qkv = AttentionTestSupport.run(original, pixels(p), a.query(), a.key(), a.value());
        float[][][] q = AttentionTestSupport.heads(qkv.get(a.query()).floats(), 3, 197, 64);
        float[][][] k = AttentionTestSupport.heads(qkv.get(a.key()).floats(), 3, 197, 64);
        float[][][] v = AttentionTestSupport.heads(qkv.get(a.value()).floats(), 3, 197, 64);
        float[][][] want = tome(q, k, v, a.scale(), TomeRewrite.split(a, 3), m.merged(), a.prefixTokens());
        float[][][] got = AttentionTestSupport.heads(
                AttentionTestSupport.run(r.model(), pixels(p), m.rewrittenOutput()).get(m.rewrittenOutput()).floats(), 3, 197, 64);
        float diff = AttentionTestSupport.maxDiff(want, got, 0, 3);
        assertTrue(diff < TOL, "ToMe layer 0 differs from the reference by " + diff);
        float[][][] exact = AttentionTestSupport.heads(
                AttentionTestSupport.run(original, pixels(p), a.output()).get(a.output()).floats(), 3, 197, 64);
        assertTrue(AttentionTestSupport.maxDiff(exact, got, 0, 3) > 1e-3, "merging is an approximation, not a copy");
    }

    /**
     * Every attention form, batch 2 without a grid, against ToMe by hand on the model's own Q, K, V
     * (ms-attention packs them inside the op, so its reference is the decomposed model with the same weights).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyFormMergesAlikeOnABatch(Kind kind) {
        int n = 48;
        int c = 32;
        int h = 4;
        OnnxModel reference = AttentionTestSupport.transformerAttention(kind == Kind.MS_ATTENTION ? Kind.DECOMPOSED_SPLIT_SCALE : kind,
                n, c, h, 11);
        OnnxModel model = AttentionTestSupport.transformerAttention(kind, n, c, h, 11);
        Random rnd = new Random(5);
        Map<String, Tensor> feed = feed(n, c, rnd);
        AttentionBlock a = AttentionFinder.find(reference.copy()).get(0);
        float[] want = javaTomeModel(reference, a, feed, 0.5, n, c, h);
        TomeRewrite.Result r = TomeRewrite.rewrite(model, TomeOptions.of(0.5), null);
        assertEquals(1, r.merged().size());
        assertEquals(24, r.merged().get(0).merged());
        assertEquals(12, r.merged().get(0).destinations(), "one of every four tokens without a grid");
        float[] got = AttentionTestSupport.run(r.model(), feed).get("y").floats();
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max < 1e-3, kind + ": ToMe output differs from the reference by " + max);
    }

    @Test
    void elfattSdInsideMergedTokensRunsAndDiffersFromPlainTome() {
        int n = 64;
        OnnxModel model = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, n, 32, 4, 3);
        Map<String, Tensor> feed = feed(n, 32, new Random(1));
        float[] tome = AttentionTestSupport.run(TomeRewrite.rewrite(model, TomeOptions.of(0.5), null).model(), feed).get("y").floats();
        TomeRewrite.Result both = TomeRewrite.rewrite(model, TomeOptions.of(0.5), ElfattSdOptions.builder().block(16).build());
        float[] y = AttentionTestSupport.run(both.model(), feed).get("y").floats();
        double diff = 0;
        for (int i = 0; i < y.length; i++) {
            assertTrue(Float.isFinite(y[i]));
            diff = Math.max(diff, Math.abs(y[i] - tome[i]));
        }
        assertTrue(diff > 1e-4, "ELFATT-SD heads change the merged attention");
        Set<String> ops = new HashSet<>();
        both.model().graph().nodes().forEach(x -> ops.add(x.opType()));
        assertTrue(ops.containsAll(List.of("TopK", "ArgMax", "GatherElements", "ScatterElements")), ops.toString());
        both.model().graph().nodes().forEach(x -> assertEquals("", x.domain(), "standard ONNX ops only: " + x));
    }

    /**
     * ELFATT-SD inside ToMe on an 8×8 grid, with and without a class token, batch 2 (each row merges other tokens), the
     * 32 or 33 merged tokens in three local chunks of 12 (the last padded): the rewritten attention result against the
     * plain-Java form on the model's own Q, K, V.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void elfattSdInsideMergedTokensMatchesJavaReference(int prefix) {
        int n = prefix + 64;
        int h = 4;
        int d = 8;
        OnnxModel model = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, n, h * d, h, 3);
        AttentionBlock a = AttentionFinder.find(model.copy()).get(0);
        assertEquals(8, a.gridHeight());
        assertEquals(prefix, a.prefixTokens());
        Map<String, Tensor> feed = feed(n, h * d, new Random(1));
        ElfattSdOptions eo = ElfattSdOptions.builder().block(12).agents(4).shortcut(0.075).build();
        TomeRewrite.Result r = TomeRewrite.rewrite(model, TomeOptions.of(0.5), eo);
        TomeRewrite.Merged m = r.merged().get(0);
        assertEquals(32, m.merged());
        Map<String, Tensor> qkv = AttentionTestSupport.run(model, feed, a.query(), a.key(), a.value());
        float[] got = AttentionTestSupport.run(r.model(), feed, m.rewrittenOutput()).get(m.rewrittenOutput()).floats();
        // 2×2 agents: PyTorch's adaptive pooling of 8 rows and columns into 2 bins of 4; the class token is in none
        int[][] groups = new int[4][16];
        for (int t = 0; t < 64; t++) {
            int agent = (t / 8 / 4) * 2 + (t % 8) / 4;
            groups[agent][(t / 8 % 4) * 4 + t % 4] = prefix + t;
        }
        for (int row = 0; row < 2; row++) {
            float[][][] want = tomeElfattSd(rowHeads(qkv.get(a.query()).floats(), row, h, n, d, false),
                    rowHeads(qkv.get(a.key()).floats(), row, h, n, d, false), rowHeads(qkv.get(a.value()).floats(), row, h, n, d, false),
                    a.scale(), TomeRewrite.split(a, 0), m.merged(), prefix, groups, 12, eo.agentScaleExponent(), eo.shortcut());
            float[][][] mine = rowHeads(got, row, h, n, d, false);
            float diff = AttentionTestSupport.maxDiff(want, mine, 0, h);
            assertTrue(diff < 1e-5, "batch row " + row + ": ELFATT-SD+ToMe differs from the reference by " + diff);
        }
    }

    /**
     * What the local heads of ELFATT-SD+ToMe attend to, made readable: a 16×16 grid whose keys make every source merge
     * into its own 2×2 cell's destination, zero local queries (a block's tokens weigh alike) and local values that are
     * one-hot in the token's grid row. A token's local result then lists the rows its block holds. Chunks of 16 merged
     * tokens taken by position reach over at most three pairs of rows (each pair holds 8 destinations), so no row is
     * more than 5 away; in ToMe's merged order (kept sources by similarity first) a chunk spans the whole grid.
     */
    @Test
    void localBlocksOverMergedTokensHoldNeighbours() {
        int side = 16;
        int n = side * side;
        int d = 16;
        Graph g = new Graph("qkv", null);
        GraphBuilder b = new GraphBuilder(g);
        long[] shape = {1, 2, n, d};
        String q = b.input("q", TensorData.FLOAT, shape);
        String k = b.input("k", TensorData.FLOAT, shape);
        String v = b.input("v", TensorData.FLOAT, shape);
        String o = b.matMul(b.softmax(b.mul(b.matMul(q, b.transpose(k, 0, 1, 3, 2)), b.constFloat("s", (float) (1 / Math.sqrt(d)))), -1), v);
        b.output(o, o, TensorData.FLOAT, shape);
        OnnxModel model = new OnnxModel(8, Map.of("", 17L), g);
        assertEquals(side, AttentionFinder.find(model.copy()).get(0).gridWidth());

        Random rnd = new Random(4);
        float[][] cellKey = new float[n / 4][];
        for (int c = 0; c < cellKey.length; c++) {
            cellKey[c] = AttentionTestSupport.gaussian(rnd, 2 * d, 1);
        }
        float[] keys = new float[2 * n * d];
        float[] values = new float[2 * n * d];
        for (int t = 0; t < n; t++) {
            int row = t / side;
            int cell = (row / 2) * (side / 2) + (t % side) / 2;
            for (int head = 0; head < 2; head++) {
                for (int c = 0; c < d; c++) {
                    keys[(head * n + t) * d + c] = cellKey[cell][head * d + c] + (float) (0.05 * rnd.nextGaussian());
                }
            }
            values[(n + t) * d + row] = 1; // head 1, the local head
        }
        Map<String, Tensor> feed = Map.of("q", Tensor.ofFloats(shape, new float[2 * n * d]), "k", Tensor.ofFloats(shape, keys),
                "v", Tensor.ofFloats(shape, values));
        TomeRewrite.Result r = TomeRewrite.rewrite(model, TomeOptions.of(0.5), ElfattSdOptions.builder().block(16).build());
        assertEquals(128, r.merged().get(0).merged(), "128 tokens merged away, 128 left: 8 local chunks of 16");
        float[][][] out = AttentionTestSupport.heads(AttentionTestSupport.run(r.model(), feed).get(o).floats(), 2, n, d);
        for (int t = 0; t < n; t++) {
            double sum = 0;
            for (int row = 0; row < side; row++) {
                float share = out[1][t][row];
                sum += share;
                assertTrue(share < 1e-4 || Math.abs(row - t / side) <= 5,
                        "token " + t + " (grid row " + t / side + ") has row " + row + " in its local block (share " + share + ")");
            }
            assertEquals(1, sum, 1e-4, "token " + t + ": shares of rows in its block");
        }
    }

    /**
     * The token-order sort is integer ops TensorRT 10.6's parser takes (TopK sorted, K below 3840), so FP16 conversion
     * rounds no position (the FP16 result stays with the FP32 one), and the graph stays TensorRT-ready.
     */
    @Test
    void elfattSdInsideMergedTokensIsTensorRtReadyInFp16() {
        int n = 256;
        OnnxModel model = AttentionTestSupport.transformerAttention(Kind.MS_MHA, n, 32, 4, 5);
        Map<String, Tensor> feed = feed(n, 32, new Random(2));
        OnnxModel both = TomeRewrite.rewrite(model, TomeOptions.of(0.5), ElfattSdOptions.builder().block(32).build()).model();
        OnnxModel fp16 = Fp16Converter.convert(both, Fp16Options.defaults()).model();
        TensorRtReady.Result ready = TensorRtReady.prepare(fp16);
        assertTrue(ready.ready(), ready.whyNot());
        List<Node> topKs = fp16.graph().nodes().stream().filter(x -> x.is("TopK")).toList();
        assertEquals(2, topKs.size(), "ToMe's similarity sort and the kept sources' position sort");
        for (Node t : topKs) {
            assertEquals(1, t.attrInt("sorted", 0), t.name());
            long k = fp16.graph().longs(fp16.graph().initializer(t.inputs().get(1)).orElseThrow())[0];
            assertTrue(k < 3840, t.name() + ": K " + k);
        }
        fp16.graph().nodes().forEach(x -> assertEquals("", x.domain(), "standard ONNX ops only: " + x));
        // FP16 similarities flip a few near-tied merges (plain ToMe alike: cosine 0.9995 here), so compare whole outputs
        float[] want = AttentionTestSupport.run(both, feed).get("y").floats();
        float[] got = AttentionTestSupport.run(fp16, feed).get("y").floats();
        double cosine = io.jedge.converters.compare.Metrics.of(want, got).cosine();
        assertTrue(cosine > 0.999, "FP16 against FP32: cosine " + cosine);
    }

    /**
     * ToMe's similarity TopK sorts every source token (3/4 of the tokens), whatever the ratio: at 4096 tokens its K is
     * 3072, within TensorRT's 3840, and above 5120 tokens (here 6400 on an 80×80 grid: 4800 sources) it is past it for plain
     * ToMe at any ratio and for ELFATT-SD inside, and the graph is then reported as not TensorRT-ready, naming that TopK,
     * instead of failing in the engine build. (The token-order sort's K, the kept sources, is never the larger.)
     */
    @Test
    void theSimilarityTopKAboveTensorRtsLimitMakesTheGraphNotTensorRtReady() {
        ElfattSdOptions eo = ElfattSdOptions.builder().block(256).build();
        OnnxModel sd = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 4096, 16, 2, 3);
        for (ElfattSdOptions inside : java.util.Arrays.asList(null, eo)) {
            assertEquals("", TensorRtReady.whyNot(TomeRewrite.rewrite(sd, TomeOptions.of(0.05), inside).model()),
                    "4096 tokens: the similarity TopK sorts 3072 sources");
        }
        OnnxModel big = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 6400, 16, 2, 3);
        for (double ratio : new double[] {0.05, 0.5, 0.75}) {
            for (ElfattSdOptions inside : java.util.Arrays.asList(null, eo)) {
                TomeRewrite.Result r = TomeRewrite.rewrite(big, TomeOptions.of(ratio), inside);
                assertEquals(Math.min((int) (6400 * ratio), 4800), r.merged().get(0).merged());
                Node similarity = r.model().graph().nodes().stream().filter(n -> n.name().endsWith("/tome/TopK")).findFirst()
                        .orElseThrow();
                assertEquals(4800, r.model().graph().longs(r.model().graph().constant(similarity.inputs().get(1)).orElseThrow())[0],
                        "the similarity TopK's K is the source count");
                String why = TensorRtReady.whyNot(r.model());
                String at = "ratio " + ratio + (inside == null ? "" : ", ELFATT-SD inside") + ": " + why;
                assertTrue(why.contains("TopK '" + similarity.name() + "' with K 4800, TensorRT takes at most 3840"), at);
            }
        }
    }

    @Test
    void aRequestedLayerThatCannotMergeIsNamed() {
        OnnxModel model = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 3, 32, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TomeRewrite.rewrite(model, new TomeOptions(0.2, List.of(0), 0), null));
        assertTrue(e.getMessage().contains("layer 0") && e.getMessage().contains("merges none"), e.getMessage());
    }

    // ---------------------------------------------------------------- plain-Java reference

    private static AttentionBlock block(long n, long gh, long gw, int prefix) {
        return new AttentionBlock(0, "l", AttentionBlock.Form.DYNAMO_DECOMPOSED, "", List.of(), "", "", "", "", "", n, n, 3, 64,
                0.125, false, false, false, true, false, gh, gw, prefix, true, "");
    }

    /** The synthetic model with ToMe applied by hand: q, k, v from the original model, merged attention, its own output projection. */
    private static float[] javaTomeModel(OnnxModel model, AttentionBlock a, Map<String, Tensor> feed, double ratio, int n, int c, int h) {
        int d = c / h;
        Map<String, Tensor> out = AttentionTestSupport.run(model, feed, a.query(), a.key(), a.value());
        int[][] split = TomeRewrite.split(a, 0);
        int r = Math.min((int) (n * ratio), split[0].length);
        OnnxModel withAttention = model.copy();
        float[] merged = new float[2 * h * n * d];
        for (int row = 0; row < 2; row++) {
            boolean packed = out.get(a.query()).rank() == 3;
            float[][][] q = rowHeads(out.get(a.query()).floats(), row, h, n, d, packed);
            float[][][] k = rowHeads(out.get(a.key()).floats(), row, h, n, d, packed);
            float[][][] v = rowHeads(out.get(a.value()).floats(), row, h, n, d, packed);
            float[][][] o = tome(q, k, v, a.scale(), split, r, 0);
            for (int hh = 0; hh < h; hh++) {
                for (int t = 0; t < n; t++) {
                    int at = packed ? (row * n + t) * h * d + hh * d : ((row * h + hh) * n + t) * d;
                    System.arraycopy(o[hh][t], 0, merged, at, d);
                }
            }
        }
        // feed the reference attention result into the original projection by replacing the PV output with an input
        var g = withAttention.graph();
        g.nodes().removeIf(x -> x.outputs().contains(a.output()));
        g.inputs().add(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(a.output())
                .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(io.jedge.converters.onnx.TensorData.FLOAT).setShape(out.get(a.query()).rank() == 3 ? shape(2, n, (long) h * d) : shape(2, h, n, d)))).build());
        g.removeDeadNodes();
        Map<String, Tensor> f = new java.util.HashMap<>(feed);
        boolean packedOut = out.get(a.query()).rank() == 3;
        f.put(a.output(), Tensor.ofFloats(packedOut ? new long[] {2, n, (long) h * d} : new long[] {2, h, n, d}, merged));
        if (g.inputs().stream().noneMatch(vi -> vi.getName().equals("x"))) {
            f.remove("x");
        }
        return AttentionTestSupport.run(withAttention, f).get("y").floats();
    }

    private static ai.onnx.proto.OnnxMl.TensorShapeProto shape(long... dims) {
        var b = ai.onnx.proto.OnnxMl.TensorShapeProto.newBuilder();
        for (long x : dims) {
            b.addDim(ai.onnx.proto.OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(x));
        }
        return b.build();
    }

    private static float[][][] rowHeads(float[] x, int row, int h, int n, int d, boolean packed) {
        float[] one = new float[h * n * d];
        System.arraycopy(x, row * one.length, one, 0, one.length);
        return packed ? AttentionTestSupport.splitPacked(one, h, n, d) : AttentionTestSupport.heads(one, h, n, d);
    }

    /**
     * ToMe-SD for one sample, from the paper: sources matched to their most similar destination by
     * the cosine of the keys (all heads), the r best merged by averaging, softmax attention on what is
     * left, every token given the result of the token it became.
     */
    static float[][][] tome(float[][][] q, float[][][] k, float[][][] v, double scale, int[][] split, int r, int prefix) {
        return tome(q, k, v, split, r, prefix, (head, mq, mk, mv, positions) -> AttentionTestSupport.softmaxAttention(mq, mk,
                AttentionTestSupport.toDouble(mv), scale));
    }

    /** Attention over one head's merged tokens, [token][channel], given each merged token's position in the grid. */
    interface MergedAttention {
        double[][] attend(int head, float[][] q, float[][] k, float[][] v, int[] positions);
    }

    /**
     * ELFATT-SD+ToMe for one sample, from the formulas: ToMe's matching and merging as above; over the merged tokens
     * heads 0..h/2-1 agent attention (agents averaging the unmerged queries of each group), heads h/2..h-1 softmax
     * inside chunks of {@code block} merged tokens taken by position (a kept source or destination's own token index).
     */
    static float[][][] tomeElfattSd(float[][][] q, float[][][] k, float[][][] v, double scale, int[][] split, int r, int prefix,
            int[][] agentGroups, int block, double exponent, double shortcut) {
        int h1 = q.length / 2;
        int d = q[0][0].length;
        return tome(q, k, v, split, r, prefix, (head, mq, mk, mv, positions) -> {
            int m = mq.length;
            if (head < h1) {
                float[][] agents = new float[agentGroups.length][d];
                for (int i = 0; i < agentGroups.length; i++) {
                    for (int t : agentGroups[i]) {
                        for (int c = 0; c < d; c++) {
                            agents[i][c] += q[head][t][c] / agentGroups[i].length;
                        }
                    }
                }
                double[][] agentV = AttentionTestSupport.softmaxAttention(agents, mk, AttentionTestSupport.toDouble(mv), scale);
                double[][] o = AttentionTestSupport.softmaxAttention(mq, agents, agentV, Math.pow(scale, exponent));
                for (int t = 0; t < m; t++) {
                    for (int c = 0; c < d; c++) {
                        o[t][c] += shortcut * mv[t][c];
                    }
                }
                return o;
            }
            Integer[] byPosition = new Integer[m];
            for (int i = 0; i < m; i++) {
                byPosition[i] = i;
            }
            java.util.Arrays.sort(byPosition, Comparator.comparingInt((Integer i) -> positions[i]));
            double[][] o = new double[m][];
            for (int c0 = 0; c0 < m; c0 += block) {
                int len = Math.min(block, m - c0);
                float[][] qb = new float[len][];
                float[][] kb = new float[len][];
                float[][] vb = new float[len][];
                for (int i = 0; i < len; i++) {
                    qb[i] = mq[byPosition[c0 + i]];
                    kb[i] = mk[byPosition[c0 + i]];
                    vb[i] = mv[byPosition[c0 + i]];
                }
                double[][] ob = AttentionTestSupport.softmaxAttention(qb, kb, AttentionTestSupport.toDouble(vb), scale);
                for (int i = 0; i < len; i++) {
                    o[byPosition[c0 + i]] = ob[i];
                }
            }
            return o;
        });
    }

    private static float[][][] tome(float[][][] q, float[][][] k, float[][][] v, int[][] split, int r, int prefix, MergedAttention attention) {
        int h = q.length;
        int n = q[0].length;
        int d = q[0][0].length;
        int[] src = split[0];
        int[] dst = split[1];
        double[][] metric = new double[n][h * d];
        for (int t = 0; t < n; t++) {
            double norm = 0;
            for (int hh = 0; hh < h; hh++) {
                for (int c = 0; c < d; c++) {
                    metric[t][hh * d + c] = k[hh][t][c];
                    norm += (double) k[hh][t][c] * k[hh][t][c];
                }
            }
            norm = Math.sqrt(norm) + 1e-6;
            for (int i = 0; i < h * d; i++) {
                metric[t][i] /= norm;
            }
        }
        double[] best = new double[src.length];
        int[] bestDst = new int[src.length];
        for (int i = 0; i < src.length; i++) {
            best[i] = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < dst.length; j++) {
                double s = dst[j] < prefix ? -4 : 0;
                for (int c = 0; c < h * d; c++) {
                    s += metric[src[i]][c] * metric[dst[j]][c];
                }
                if (s > best[i]) {
                    best[i] = s;
                    bestDst[i] = j;
                }
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < src.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -best[i]));
        List<Integer> kept = order.subList(r, src.length);
        List<Integer> merged = order.subList(0, r);
        int nu = kept.size();
        int m = nu + dst.length;
        float[][][] out = new float[h][n][d];
        for (int hh = 0; hh < h; hh++) {
            float[][][] parts = {q[hh], k[hh], v[hh]};
            float[][][] mergedParts = new float[3][m][d];
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < nu; i++) {
                    mergedParts[p][i] = parts[p][src[kept.get(i)]].clone();
                }
                double[][] sum = new double[dst.length][d];
                int[] count = new int[dst.length];
                for (int j = 0; j < dst.length; j++) {
                    for (int c = 0; c < d; c++) {
                        sum[j][c] = parts[p][dst[j]][c];
                    }
                    count[j] = 1;
                }
                for (int i : merged) {
                    for (int c = 0; c < d; c++) {
                        sum[bestDst[i]][c] += parts[p][src[i]][c];
                    }
                    count[bestDst[i]]++;
                }
                for (int j = 0; j < dst.length; j++) {
                    for (int c = 0; c < d; c++) {
                        mergedParts[p][nu + j][c] = (float) (sum[j][c] / count[j]);
                    }
                }
            }
            int[] positions = new int[m];
            for (int i = 0; i < nu; i++) {
                positions[i] = src[kept.get(i)];
            }
            System.arraycopy(dst, 0, positions, nu, dst.length);
            double[][] o = attention.attend(hh, mergedParts[0], mergedParts[1], mergedParts[2], positions);
            for (int i = 0; i < nu; i++) {
                out[hh][src[kept.get(i)]] = AttentionTestSupport.toFloat(new double[][] {o[i]})[0];
            }
            for (int i : merged) {
                out[hh][src[i]] = AttentionTestSupport.toFloat(new double[][] {o[nu + bestDst[i]]})[0];
            }
            for (int j = 0; j < dst.length; j++) {
                out[hh][dst[j]] = AttentionTestSupport.toFloat(new double[][] {o[nu + j]})[0];
            }
        }
        return out;
    }

    /** Input "x" of a batch of 2: [2, n, width] Gaussian values from {@code rnd}. */
    private static Map<String, Tensor> feed(int n, int width, Random rnd) {
        return Map.of("x", Tensor.ofFloats(new long[] {2, n, width}, AttentionTestSupport.gaussian(rnd, 2 * n * width, 1)));
    }
}
