package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ELFATT form TensorRT gets (local head decomposed) survives the FP16 conversion: the global
 * head's softmax over 257 tokens and the kᵀv MatMul contracting it stay FP32, and the FP16 model
 * agrees with FP32 in ONNX Runtime.
 */
class ElfattFp16Test {
    @TempDir
    Path tmp;

    @Test
    void globalHeadStaysFloatAndFp16AgreesWithFp32() {
        VitConfig c = new VitConfig(64, 4, 64, 2, 4, 4, 10); // 16×16 patches + class token = 257 tokens
        OnnxModel fp32 = VitBuilder.build(c, new SeededWeights(3),
                new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(8)).softmaxForm(AttentionForm.DECOMPOSED).build()));
        Fp16Converter.Result r = Fp16Converter.convert(fp32, Fp16Options.defaults());
        Graph g = r.model().graph();
        List<Node> longSoftmax = g.nodes().stream().filter(n -> n.is("Softmax") && r.keptFp32().containsKey(n.name())).toList();
        assertEquals(4, longSoftmax.size(), "per layer: the global k softmax and the class token's query over all tokens: " + r.keptFp32());
        for (Node s : longSoftmax) {
            Node kv = g.nodes().stream().filter(n -> n.is("MatMul") && n.input(0).equals(s.output(0))).findFirst().orElseThrow();
            assertTrue(r.keptFp32().containsKey(kv.name()), kv + " contracts " + s + " and should be FP32");
        }
        float[] x = RandomWeights.input(8, 1, 3 * 64, 64);
        float[] a = run(fp32, "a.onnx", x);
        float[] b = run(r.model(), "b.onnx", x);
        double cosine = io.jedge.converters.compare.Metrics.of(a, b).cosine();
        assertTrue(cosine > 0.9999, "FP16 vs FP32 logits cosine " + cosine);
    }

    /**
     * One window over the grid at 197 tokens, the length TensorRT runs it at: both heads as one attention (unit queries)
     * and LePE as shifted sums, and that attention really in FP16 (softmaxes of 256 tokens or fewer are not kept FP32).
     */
    @Test
    void sharedAttentionFormAgreesWithFp32InFp16() {
        VitConfig c = new VitConfig(56, 4, 64, 2, 4, 4, 10); // 14×14 patches + class token = 197 tokens, one window
        OnnxModel fp32 = VitBuilder.build(c, new SeededWeights(3),
                new ElfattAttention(ElfattOptions.builder().blocks(BlockLayout.windows(14)).softmaxForm(AttentionForm.DECOMPOSED).build()));
        assertEquals(1, fp32.graph().nodes().stream().filter(n -> n.is("Conv")).count(), "the patch embedding's; LePE is shifted sums");
        Fp16Converter.Result r = Fp16Converter.convert(fp32, Fp16Options.defaults());
        List<Node> softmax = r.model().graph().nodes().stream().filter(n -> n.is("Softmax")).toList();
        assertEquals(2 * 2, softmax.size(), "per layer: the shared attention's and softmax_d(q)");
        assertTrue(softmax.stream().noneMatch(n -> r.keptFp32().containsKey(n.name())), "all in FP16: " + r.keptFp32());
        float[] x = RandomWeights.input(9, 1, 3 * 56, 56);
        double cosine = io.jedge.converters.compare.Metrics.of(run(fp32, "a.onnx", x, 56), run(r.model(), "b.onnx", x, 56)).cosine();
        assertTrue(cosine > 0.9999, "FP16 vs FP32 logits cosine " + cosine);
    }

    private float[] run(OnnxModel m, String name, float[] x) {
        return run(m, name, x, 64);
    }

    private float[] run(OnnxModel m, String name, float[] x, int side) {
        Path f = tmp.resolve(name);
        m.save(f);
        try (InferenceSession s = new OrtBackend().open(f, SessionOptions.builder().threads(1).build())) {
            return s.run(Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, side, side}, x))).get("logits").floats();
        }
    }
}
