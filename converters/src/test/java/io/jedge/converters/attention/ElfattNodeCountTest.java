package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins how many ONNX nodes each attention form emits, since node count is what decides whether
 * ELFATT keeps up with vanilla at short sequences on TensorRT (issue 18). Numerics of the same
 * forms are pinned by {@link ElfattAttentionTest}.
 */
class ElfattNodeCountTest {
    private static final TokenLayout VIT_TINY_224 = new TokenLayout(1, 14, 14, 192, 6);

    @TempDir
    Path tmp;

    private static Map<String, Integer> ops(OnnxModel m) {
        Map<String, Integer> n = new TreeMap<>();
        for (Node node : m.graph().nodes()) {
            n.merge(node.opType(), 1, Integer::sum);
        }
        return n;
    }

    private static int count(AttentionEmitter e, TokenLayout l) {
        return LayerGraphs.oneLayer(e, l, new RandomWeights(1, 0.1)).graph().nodes().size();
    }

    /** Op histogram of ONNX Runtime CPU's optimised graph (all optimisations) of {@code m}. */
    private Map<String, Integer> ortOptimised(OnnxModel m) throws Exception {
        Path in = tmp.resolve("in.onnx");
        Path out = tmp.resolve("opt.onnx");
        m.save(in);
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setOptimizedModelFilePath(out.toString());
            try (OrtSession s = OrtEnvironment.getEnvironment().createSession(in.toString(), so)) {
                assertTrue(s.getNumInputs() > 0);
            }
        }
        return ops(OnnxModel.load(out));
    }

    @Test
    void elfattLayerAt197TokensEmitsFewNodes() throws Exception {
        ElfattOptions dec = ElfattOptions.builder().blocks(BlockLayout.windows(14)).softmaxForm(AttentionForm.DECOMPOSED).build();
        ElfattOptions mha = dec.toBuilder().softmaxForm(AttentionForm.CONTRIB_MHA).build();
        assertEquals(18, count(new VanillaAttention(), VIT_TINY_224));
        assertEquals(24, count(new ElfattAttention(mha), VIT_TINY_224));
        // The decomposed (TensorRT) form has more ONNX nodes (58, was 34) but fewer kernels: TensorRT runs 175 engine
        // layers for the ViT against 259 before (benchmarks/elfatt-layers-tensorrt-h200-2026-12-03.md).
        assertEquals(58, count(new ElfattAttention(dec), VIT_TINY_224));
        Map<String, Integer> ops = ops(LayerGraphs.oneLayer(new ElfattAttention(dec), VIT_TINY_224, new RandomWeights(1, 0.1)));
        assertEquals(1, ops.get("Split"), ops.toString());
        assertEquals(2, ops.get("Softmax"), "one attention over all heads (global heads with unit queries), then softmax_d(q): " + ops);
        assertEquals(5, ops.get("MatMul"), "qkv, q·kᵀ, ·v, q·ctx, proj: " + ops);
        assertEquals(null, ops.get("Conv"), "LePE as shifted sums TensorRT fuses, not a Conv: " + ops);
        assertEquals(2, ops.get("Pad"), "LePE's zero border, and the class token's zero LePE row: " + ops);
        assertEquals(9, ops.get("Mul"), "nine LePE taps; the unit queries are written after the qkv GEMM, no mask on q: " + ops);
        assertEquals(9 + 1 + 2, ops.get("Slice"), "nine LePE shifts, the grid, ctx / local heads: " + ops);
        assertEquals(5, ops.get("Transpose"), "q, k, v and the global heads' real q (a fifth column block of the qkv GEMM), "
                + "then the output; nothing between the GEMM and the attention: " + ops);
    }

    @Test
    void windowedLayerKeepsOneLepePerHead() {
        TokenLayout l = new TokenLayout(1, 32, 32, 192, 6);
        Map<String, Integer> ops = ops(LayerGraphs.oneLayer(new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(16))
                .softmaxForm(AttentionForm.CONTRIB_MHA).build()), l, new RandomWeights(1, 0.1)));
        assertEquals(2, ops.get("Conv"), ops.toString());
        assertEquals(2, ops.get("MultiHeadAttention"), "blocks, and the class token over all tokens: " + ops);
        assertEquals(1, ops.get("Mul"), "only the global heads' mask; the local scale is folded into qkv: " + ops);
    }

    @Test
    void vitTinyNodeCountsAndOrtFusion() throws Exception {
        VitConfig c = new VitConfig(224, 16, 192, 12, 6, 4, 1000);
        SeededWeights w = new SeededWeights(7);
        OnnxModel vanilla = VitBuilder.build(c, w, new VanillaAttention());
        OnnxModel elfatt = VitBuilder.build(c, w,
                new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(14)).softmaxForm(AttentionForm.DECOMPOSED).build()));
        OnnxModel elfattMha = VitBuilder.build(c, w, new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(14)).build()));
        int v = vanilla.graph().nodes().size();
        int e = elfatt.graph().nodes().size();
        int em = elfattMha.graph().nodes().size();
        Map<String, Integer> vOrt = ortOptimised(vanilla);
        Map<String, Integer> eOrt = ortOptimised(elfatt);
        Map<String, Integer> emOrt = ortOptimised(elfattMha);
        System.out.printf("ViT-tiny 224 nodes: vanilla %d (ORT-optimised %d %s), elfatt decomposed %d (ORT-optimised %d %s), elfatt mha %d (ORT-optimised %d %s)%n",
                v, total(vOrt), vOrt, e, total(eOrt), eOrt, em, total(emOrt), emOrt);
        // 722 before the global head, LePE and scale were folded (benchmarks/tensorrt-h200-2026-12-01.md), then 566; now 854,
        // more ONNX nodes but fewer TensorRT kernels (the layer test above)
        assertEquals(12 * 40, e - v, "the decomposed ELFATT's extra nodes: 40 per layer");
        assertEquals(12, emOrt.getOrDefault("MultiHeadAttention", 0), "one fused local head per layer on ORT CPU: " + emOrt);
        // LePE written NHWC in the ORT form: the NCHWc reorders absorb its transposes, leaving one per
        // layer (the global head's kᵀ) and the patch embedding's
        assertEquals(12 + 1, emOrt.getOrDefault("Transpose", 0), "ORT-optimised ELFATT-MHA: " + emOrt);
        assertEquals(12, emOrt.getOrDefault("ReorderInput", 0), "one NCHWc LePE conv per layer: " + emOrt);
        assertTrue(total(emOrt) <= total(vOrt) + 12 * 12, "ORT-optimised ELFATT-MHA " + total(emOrt) + " vs vanilla " + total(vOrt));
    }

    private static int total(Map<String, Integer> ops) {
        return ops.values().stream().mapToInt(Integer::intValue).sum();
    }
}
