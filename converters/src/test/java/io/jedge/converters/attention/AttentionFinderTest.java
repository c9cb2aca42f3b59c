package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionBlock.Form;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.GraphBuilder;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttentionFinderTest {

    private static List<AttentionBlock> fixture(String name) {
        return AttentionFinder.find(OnnxModel.load(Fixtures.torchExport(name).resolve("model.onnx")));
    }

    private static void assertVitBlock(AttentionBlock a, Form form) {
        assertEquals(form, a.form(), a.toString());
        assertEquals(197, a.tokens());
        assertEquals(197, a.keyTokens());
        assertEquals(3, a.heads());
        assertEquals(64, a.headDim());
        assertEquals(0.125, a.scale(), 1e-6);
        assertFalse(a.bias());
        assertFalse(a.mask());
        assertTrue(a.selfAttention());
        assertEquals(14, a.gridHeight());
        assertEquals(14, a.gridWidth());
        assertEquals(1, a.prefixTokens(), "the class token precedes the 14x14 patch grid");
        assertFalse(a.outputProjection().isEmpty(), "output projection MatMul found");
        assertTrue(a.supported(), a.note());
    }

    @Test
    void legacyVitHasTwoDecomposedBlocks() {
        List<AttentionBlock> blocks = fixture("vit224_legacy_op17");
        assertEquals(2, blocks.size());
        for (AttentionBlock a : blocks) {
            assertVitBlock(a, Form.LEGACY_DECOMPOSED);
            assertFalse(a.fused());
            // the exporter's sqrt(scale) Muls on Q and K, the QKᵀ and PV MatMuls and the K transpose
            assertTrue(a.nodes().size() >= 6, a.nodes().toString());
        }
        assertEquals("/blocks/blocks.1/attn", blocks.get(1).layer());
    }

    @Test
    void opset23VitHasTwoAttentionOps() {
        List<AttentionBlock> blocks = fixture("vit224_dynamo_op23");
        assertEquals(2, blocks.size());
        for (AttentionBlock a : blocks) {
            assertVitBlock(a, Form.ONNX_ATTENTION);
            assertTrue(a.fused());
        }
    }

    @Test
    void swinWindowAttentionIsFoundWithBiasAndShiftMasks() throws IOException {
        Path dir = Fixtures.torchExport("swin224_dynamo_op18");
        int softmaxes = JsonParser.parseString(Files.readString(dir.resolve("meta.json"))).getAsJsonObject()
                .getAsJsonObject("ops").get("::Softmax").getAsInt();
        List<AttentionBlock> blocks = AttentionFinder.find(OnnxModel.load(dir.resolve("model.onnx")));
        assertEquals(softmaxes, blocks.size());
        long[] heads = {1, 1, 2, 2, 4, 4, 8};
        for (AttentionBlock a : blocks) {
            assertEquals(Form.WINDOW_BIASED, a.form(), a.toString());
            assertEquals(49, a.tokens(), "7x7 windows");
            assertEquals(32, a.headDim());
            assertEquals(heads[a.index()], a.heads());
            assertTrue(a.bias(), "relative position bias");
            // odd blocks are shifted windows with the -100 attention mask
            assertEquals(a.index() % 2 == 1 && a.index() < 6, a.mask(), a.layer());
            assertFalse(a.supported());
            assertTrue(a.note().contains("bias"), a.note());
        }
    }

    @Test
    void tableListsEveryBlock() {
        List<AttentionBlock> blocks = fixture("vit224_legacy_op17");
        String t = AttentionFinder.table(blocks);
        assertTrue(t.contains("legacy-decomposed"), t);
        assertTrue(t.contains("/blocks/blocks.0/attn"), t);
        assertTrue(t.contains("2 attention blocks, 2 rewritable"), t);
        assertEquals(4, t.split("\n").length, t);
    }

    @Test
    void dynamoDecomposedSyntheticWithSplitScale() {
        List<AttentionBlock> blocks = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_SPLIT_SCALE, 64, 32, 4, 1));
        assertEquals(1, blocks.size());
        AttentionBlock a = blocks.get(0);
        assertEquals(Form.DYNAMO_DECOMPOSED, a.form());
        assertEquals(64, a.tokens());
        assertEquals(4, a.heads());
        assertEquals(8, a.headDim());
        assertEquals(1 / Math.sqrt(8), a.scale(), 1e-6, "two Muls by sqrt(scale) multiply to the scale");
        assertEquals(8, a.gridHeight());
        assertEquals(0, a.prefixTokens());
        assertTrue(a.selfAttention());
        assertTrue(a.supported(), a.note());
    }

    @Test
    void logitScaleByDivision() {
        AttentionBlock a = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_LOGIT_SCALE, 16, 32, 2, 1)).get(0);
        assertEquals(1 / Math.sqrt(16), a.scale(), 1e-6);
        assertEquals(2, a.heads());
    }

    @Test
    void microsoftMultiHeadAttention() {
        AttentionBlock a = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.MS_MHA, 50, 48, 6, 1)).get(0);
        assertEquals(Form.MS_MHA, a.form());
        assertTrue(a.fused());
        assertEquals(50, a.tokens());
        assertEquals(6, a.heads());
        assertEquals(8, a.headDim());
        assertEquals(7, a.gridHeight(), "49 grid tokens after one prefix token");
        assertEquals(1, a.prefixTokens());
        assertTrue(a.selfAttention(), "q, k and v Linears read the same x");
        assertTrue(a.supported(), a.note());
    }

    @Test
    void microsoftAttentionWithPackedWeights() {
        AttentionBlock a = AttentionFinder.find(AttentionTestSupport.transformerAttention(Kind.MS_ATTENTION, 16, 32, 4, 1)).get(0);
        assertEquals(Form.MS_ATTENTION, a.form());
        assertEquals(4, a.heads());
        assertEquals(8, a.headDim());
        assertEquals(16, a.tokens());
        assertTrue(a.supported(), a.note());
    }

    @Test
    void crossAttentionIsFoundButNotSupported() {
        Graph g = new Graph("cross", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {1, 16, 8});
        String ctx = b.input("ctx", TensorData.FLOAT, new long[] {1, 16, 8});
        float[] w = new float[64];
        String q = b.reshape(b.matMul(x, b.weight("wq", new long[] {8, 8}, w)), 1, 16, 2, 4);
        String k = b.reshape(b.matMul(ctx, b.weight("wk", new long[] {8, 8}, w)), 1, 16, 2, 4);
        String v = b.reshape(b.matMul(ctx, b.weight("wv", new long[] {8, 8}, w)), 1, 16, 2, 4);
        String qh = b.transpose(q, 0, 2, 1, 3);
        String kh = b.transpose(k, 0, 2, 3, 1);
        String vh = b.transpose(v, 0, 2, 1, 3);
        String o = b.matMul(b.softmax(b.matMul(qh, kh), -1), vh);
        b.output(o, "o", TensorData.FLOAT, new long[] {1, 2, 16, 4});
        AttentionBlock a = AttentionFinder.find(g).get(0);
        assertFalse(a.selfAttention());
        assertTrue(a.keyTransposed(), "K was permuted straight to (B,h,d,L)");
        assertFalse(a.supported());
        assertTrue(a.note().contains("cross-attention"), a.note());
    }

    @Test
    void attentionLikeSoftmaxThatDoesNotFitIsReportedUnrecognised() {
        Graph g = new Graph("odd", null);
        GraphBuilder b = new GraphBuilder(g);
        String q = b.input("q", TensorData.FLOAT, new long[] {1, 2, 8, 4});
        String k = b.input("k", TensorData.FLOAT, new long[] {1, 2, 4, 8});
        String p = b.softmax(b.matMul(q, k), -1);
        String s = b.node("ReduceSum", p, b.constLongs("axes", -1)).output(0);
        b.output(s, "s", TensorData.FLOAT, new long[] {1, 2, 8, 1});
        String p2 = b.softmax(b.matMul(q, k), 2);
        b.output(b.matMul(p2, q), "o2", TensorData.FLOAT, new long[] {1, 2, 8, 4});
        List<AttentionBlock> blocks = AttentionFinder.find(g);
        assertEquals(2, blocks.size());
        for (AttentionBlock a : blocks) {
            assertEquals(Form.UNRECOGNISED, a.form());
            assertFalse(a.supported());
        }
        assertTrue(blocks.stream().anyMatch(a -> a.note().contains("ReduceSum")), blocks.toString());
        assertTrue(blocks.stream().anyMatch(a -> a.note().contains("axis 2")), blocks.toString());
        assertTrue(AttentionFinder.table(blocks).contains("2 unrecognised"));
    }

    /** q, k, v (1,2,16,8) → logits + addend → Softmax → Cast → MatMul v, as transformers writes it. */
    private static AttentionBlock withLogitAddend(java.util.function.Function<GraphBuilder, String> addend) {
        Graph g = new Graph("addend", null);
        GraphBuilder b = new GraphBuilder(g);
        long[] shape = {1, 2, 16, 8};
        String q = b.input("q", TensorData.FLOAT, shape);
        String k = b.input("k", TensorData.FLOAT, shape);
        String v = b.input("v", TensorData.FLOAT, shape);
        String logits = b.mul(b.matMul(q, b.transpose(k, 0, 1, 3, 2)), b.constFloat("scale", 0.35355339f));
        String p = b.softmax(b.add(logits, addend.apply(b)), -1);
        String cast = b.node("Cast", p).set("to", (long) TensorData.FLOAT).output(0);
        b.output(b.matMul(cast, v), "o", TensorData.FLOAT, shape);
        List<AttentionBlock> blocks = AttentionFinder.find(g);
        assertEquals(1, blocks.size());
        return blocks.get(0);
    }

    /** Where(Range(0,16) OP bound, 0, -inf): the key mask transformers builds from shapes. */
    private static String keyMask(GraphBuilder b, String op, long bound) {
        String keys = b.op("Range", b.constLongs("start", 0), b.constLongs("limit", 16), b.constLongs("delta", 1));
        String keep = b.op(op, keys, b.constLongs("bound", bound));
        return b.op("Where", keep, b.constFloat("zero", 0f), b.constFloat("minus_inf", Float.NEGATIVE_INFINITY));
    }

    @Test
    void maskThatKeepsEveryKeyIsNoMask() {
        AttentionBlock a = withLogitAddend(b -> keyMask(b, "GreaterOrEqual", 0));
        assertFalse(a.mask());
        assertFalse(a.bias());
        assertTrue(a.supported(), a.note());
        assertEquals(0.35355339, a.scale(), 1e-6);
    }

    @Test
    void maskThatDropsKeysIsAMask() {
        AttentionBlock a = withLogitAddend(b -> keyMask(b, "Less", 14));
        assertTrue(a.mask());
        assertFalse(a.supported());
        assertTrue(a.note().contains("masked"), a.note());
    }

    @Test
    void learnedBiasIsABiasEvenWhileItIsZero() {
        // an untrained relative position table is all zeros; trained, it is not
        AttentionBlock a = withLogitAddend(b -> b.weight("rel_pos_bias", new long[] {1, 2, 16, 16}, new float[512]));
        assertTrue(a.bias());
        assertFalse(a.supported());
        assertTrue(a.note().contains("relative position bias"), a.note());
    }

    @Test
    void classifierSoftmaxIsNotAttention() {
        Graph g = new Graph("cls", null);
        GraphBuilder b = new GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {1, 8});
        String y = b.softmax(b.matMul(x, b.weight("w", new long[] {8, 4}, new float[32])), -1);
        b.output(y, "y", TensorData.FLOAT, new long[] {1, 4});
        assertTrue(AttentionFinder.find(new OnnxModel(8, Map.of("", 17L), g)).isEmpty());
    }

    @Test
    void gridHeuristics() {
        assertEquals(List.of(14L, 14L, 1L), List.of(box(AttentionFinder.grid(197, List.of()))));
        assertEquals(List.of(14L, 16L, 0L), List.of(box(AttentionFinder.grid(224, List.of(new long[] {14, 16})))));
        assertEquals(List.of(-1L, -1L, 0L), List.of(box(AttentionFinder.grid(20, List.of()))));
    }

    private static Long[] box(long[] v) {
        return new Long[] {v[0], v[1], v[2]};
    }
}
