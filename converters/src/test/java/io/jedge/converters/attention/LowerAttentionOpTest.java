package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LowerAttentionOpTest {

    @Test
    void opset23VitLowersToMatMulSoftmaxWithSameOutput() {
        Path dir = Fixtures.torchExport("vit224_dynamo_op23");
        OnnxModel original = OnnxModel.load(dir.resolve("model.onnx"));
        OnnxModel lowered = original.copy();
        LowerAttentionOp.Result r = LowerAttentionOp.lower(lowered);
        assertEquals(2, r.lowered().size());
        assertTrue(r.skipped().isEmpty(), r.skipped().toString());
        assertTrue(lowered.graph().nodes().stream().noneMatch(n -> n.is("Attention")));
        assertEquals(2, lowered.graph().nodes().stream().filter(n -> n.is("Softmax")).count());
        Map<String, Tensor> feed = Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, Fixtures.readF32(dir.resolve("input.f32"))));
        float[] want = Fixtures.readF32(dir.resolve("torch_output.f32"));
        float[] got = AttentionTestSupport.run(lowered, feed).get("logits").floats();
        assertTrue(Fixtures.maxAbsDiff(want, got) < 1e-4, "lowered vs torch: " + Fixtures.maxAbsDiff(want, got));
        // the finder now sees the decomposed form, still rewritable
        List<AttentionBlock> blocks = AttentionFinder.find(lowered);
        assertEquals(2, blocks.size());
        assertTrue(blocks.stream().allMatch(AttentionBlock::supported));
    }

    /** Lowers a copy of {@code m} (one node expected) and checks it computes what {@code m} does on seeded x of (1, tokens, dim). */
    static OnnxModel lowersToTheSameOutput(OnnxModel m, int tokens, int dim, long seed) {
        OnnxModel lowered = m.copy();
        LowerAttentionOp.Result r = LowerAttentionOp.lower(lowered);
        assertEquals(1, r.lowered().size(), r.skipped().toString());
        Map<String, Tensor> feed = Map.of("x", Tensor.ofFloats(new long[] {1, tokens, dim},
                AttentionTestSupport.gaussian(new Random(seed), tokens * dim, 1)));
        float[] want = AttentionTestSupport.run(m, feed).get("y").floats();
        float[] got = AttentionTestSupport.run(lowered, feed).get("y").floats();
        assertTrue(Fixtures.maxAbsDiff(want, got) < 1e-5, "differs by " + Fixtures.maxAbsDiff(want, got));
        return lowered;
    }

    @Test
    void threeDimensionalAttentionLowers() {
        lowersToTheSameOutput(AttentionTestSupport.transformerAttention(Kind.ONNX_ATTENTION_3D, 16, 32, 4, 2), 16, 32, 1);
    }

    @Test
    void onnxRuntimeMultiHeadAttentionLowersToPlainOps() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.MS_MHA, 16, 32, 4, 2);
        assertEquals("", TensorRtReady.whyNot(m), "lowerable, so --engines tensorrt may go on");
        OnnxModel lowered = lowersToTheSameOutput(m, 16, 32, 2);
        assertEquals(List.of(), LowerAttentionOp.contribOps(lowered.graph()), "no contrib op left for TensorRT");
    }

    @Test
    void anOpset23AttentionThatCannotBeLoweredIsNotTensorRtReady() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.ONNX_ATTENTION_3D, 16, 32, 4, 2);
        assertEquals("", TensorRtReady.whyNot(m), "plain 3-D Attention lowers");
        io.jedge.converters.onnx.Node att = m.graph().nodes().stream().filter(n -> n.is("Attention")).findFirst().orElseThrow();
        att.set("softcap", 30f); // TensorRT's parser lacks Attention, and the lowering refuses a softcap
        String why = TensorRtReady.whyNot(m);
        assertTrue(why.contains("Attention '") && why.contains("softcap"), why);
        TensorRtReady.Result r = TensorRtReady.prepare(m.copy());
        assertFalse(r.ready(), "an unlowered Attention is no TensorRT-ready graph: " + r);
    }

    @Test
    void theCheckLeavesALowerableModelAsItWas() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.MS_MHA, 16, 32, 4, 2);
        String before = m.graph().nodes().stream().map(n -> n.opType()).toList().toString();
        assertEquals("", TensorRtReady.whyNot(m));
        assertEquals(before, m.graph().nodes().stream().map(n -> n.opType()).toList().toString(), "whyNot lowers a copy");
    }

    @Test
    void multiHeadAttentionWithABiasIsLeftWithTheReason() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.MS_MHA, 16, 32, 4, 2);
        io.jedge.converters.onnx.Node mha = m.graph().nodes().stream().filter(n -> n.opType().equals("MultiHeadAttention")).findFirst().orElseThrow();
        while (mha.inputs().size() < 4) {
            mha.inputs().add("");
        }
        mha.inputs().set(3, "x"); // any named tensor: the lowering must refuse before reading it
        String why = TensorRtReady.whyNot(m);
        assertTrue(why.contains("MultiHeadAttention") && why.contains("input 3"), why);
        LowerAttentionOp.Result r = LowerAttentionOp.lower(m);
        assertEquals(List.of(), r.lowered());
        assertEquals(1, r.skipped().size());
        assertTrue(r.skipped().get(0).contains("input 3"), r.skipped().toString());
    }

    @Test
    void causalAttentionLowersWithAConstantMask() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.ONNX_ATTENTION_3D, 12, 16, 2, 4);
        m.graph().nodes().stream().filter(n -> n.is("Attention")).forEach(n -> n.set("is_causal", 1L));
        lowersToTheSameOutput(m, 12, 16, 2);
    }
}
