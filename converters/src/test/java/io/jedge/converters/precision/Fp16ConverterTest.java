package io.jedge.converters.precision;

import java.util.Set;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.compare.Metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Fp16ConverterTest {
    static OnnxModel smallVit(int image, int patch) {
        return VitBuilder.build(new VitConfig(image, patch, 32, 2, 2, 2, 10), new SeededWeights(1), new VanillaAttention());
    }

    static Tensor gaussian(long[] shape, long seed) {
        float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
        new io.jedge.sdk.diffusion.GaussianNoise(seed).fill(v);
        return Tensor.ofFloats(shape, v);
    }

    static float[] run(OnnxModel m, Tensor pixels) {
        try (InferenceSession r = SessionFactory.open(m, "test", SessionOptions.defaults())) {
            return r.run(Map.of("pixels", pixels), Set.of("logits")).get("logits").floats();
        }
    }

    /** Element type of a tensor in the converted graph: initializer, value info or graph I/O. */
    static int elemType(Graph g, String t) {
        Optional<ai.onnx.proto.OnnxMl.TensorProto> c = g.constant(t);
        if (c.isPresent()) {
            return c.get().getDataType();
        }
        ValueInfoProto v = g.valueInfo(t);
        assertNotNull(v, "no value info for " + t);
        return Graph.elemType(v);
    }

    @Test
    void layerNormStaysFloatWithCastsAtTheBoundariesAndNoCastChains() {
        OnnxModel fp32 = VitBuilder.build(VitConfig.preset("micro"), new SeededWeights(1), new VanillaAttention());
        Fp16Converter.Result r = Fp16Converter.convert(fp32, Fp16Options.defaults());
        Graph g = r.model().graph();

        List<Node> norms = g.nodes().stream().filter(n -> n.is("LayerNormalization")).toList();
        assertEquals(5, norms.size());
        for (Node ln : norms) {
            assertTrue(r.keptFp32().containsKey(ln.name()), ln + " not reported as kept");
            for (String in : ln.inputs()) {
                assertEquals(TensorData.FLOAT, elemType(g, in), ln + " input " + in);
            }
            assertEquals(TensorData.FLOAT, elemType(g, ln.output(0)));
            // every LN reads an activation that was FP16: through a Cast to float
            Node producer = g.producer(ln.input(0)).orElseThrow();
            assertTrue(producer.is("Cast") && producer.attrInt("to", 0) == TensorData.FLOAT, "LN fed by " + producer);
        }
        // MatMul weights are float16 initializers, int64 shape tensors untouched
        Node qkv = g.nodes().stream().filter(n -> n.is("MatMul") && n.input(1).equals("blocks.0.attn.qkv.weight")).findFirst().orElseThrow();
        assertEquals(TensorData.FLOAT16, g.initializer(qkv.input(1)).orElseThrow().getDataType());
        assertEquals(TensorData.FLOAT16, elemType(g, qkv.output(0)));
        assertTrue(g.initializers().values().stream().anyMatch(t -> t.getDataType() == TensorData.INT64));
        long int64Before = fp32.graph().initializers().values().stream().filter(t -> t.getDataType() == TensorData.INT64).count();
        long int64After = g.initializers().values().stream().filter(t -> t.getDataType() == TensorData.INT64).count();
        assertEquals(int64Before, int64After);

        int casts = 0;
        for (Node n : g.nodes()) {
            if (n.is("Cast")) {
                casts++;
                Node p = g.producer(n.input(0)).orElse(null);
                assertFalse(p != null && p.is("Cast"), "Cast chain " + p + " -> " + n);
            }
        }
        assertTrue(casts >= 2 * norms.size(), "casts " + casts);
        assertEquals(r.castsInserted(), casts);
        // I/O stays float32
        assertEquals(TensorData.FLOAT, Graph.elemType(g.inputs().get(0)));
        assertEquals(TensorData.FLOAT, Graph.elemType(g.outputs().get(0)));

        Tensor x = gaussian(new long[] {2, 3, 224, 224}, 7);
        Metrics a = Metrics.ofRows(run(fp32, x), run(r.model(), x), 1000);
        assertTrue(a.cosine() >= 0.99, a.toString());
    }

    @Test
    void theFp16TensorBehindAFloatOutputDeclaresTheOutputsShapeNotItsProducersInput() {
        OnnxModel fp32 = smallVit(32, 8);
        Graph g = Fp16Converter.convert(fp32, Fp16Options.defaults()).model().graph();
        Node cast = g.producer("logits").orElseThrow();
        assertEquals("Cast", cast.opType());
        ValueInfoProto inner = g.valueInfo(cast.input(0));
        assertNotNull(inner, "no value info for " + cast.input(0));
        assertEquals(TensorData.FLOAT16, Graph.elemType(inner));
        long[] dims = Graph.dims(inner);
        assertEquals(10, dims[dims.length - 1], cast.input(0) + " declared " + java.util.Arrays.toString(dims) + ", the logits have 10 classes");
        // and no value info claims rank 0 for a tensor ONNX Runtime could not infer
        for (ValueInfoProto v : g.valueInfo().values()) {
            assertTrue(!v.getType().getTensorType().hasShape() || Graph.dims(v).length > 0 || g.constant(v.getName()).isPresent(),
                    v.getName() + " declared as a scalar");
        }
    }

    @Test
    void longSoftmaxAndItsContractionStayFloat() {
        OnnxModel fp32 = smallVit(64, 4); // 16×16 patches + class token = 257 tokens
        Fp16Converter.Result r = Fp16Converter.convert(fp32, Fp16Options.defaults());
        Graph g = r.model().graph();
        List<Node> softmax = g.nodes().stream().filter(n -> n.is("Softmax")).toList();
        assertEquals(2, softmax.size());
        for (Node s : softmax) {
            assertTrue(r.keptFp32().get(s.name()).contains("257"), r.keptFp32().toString());
            Node pv = g.nodes().stream().filter(n -> n.is("MatMul") && n.input(0).equals(s.output(0))).findFirst().orElseThrow();
            assertTrue(r.keptFp32().containsKey(pv.name()), pv + " should be FP32");
            assertEquals(TensorData.FLOAT, elemType(g, pv.output(0)));
        }
        Fp16Converter.Result off = Fp16Converter.convert(fp32, Fp16Options.builder().longSoftmaxAxis(0).build());
        Node s0 = off.model().graph().nodes().stream().filter(n -> n.is("Softmax")).findFirst().orElseThrow();
        assertFalse(off.keptFp32().containsKey(s0.name()));
        assertEquals(TensorData.FLOAT16, elemType(off.model().graph(), s0.output(0)));

        Tensor x = gaussian(new long[] {1, 3, 64, 64}, 3);
        float[] ref = run(fp32, x);
        assertTrue(Metrics.of(ref, run(r.model(), x)).cosine() > 0.999);
    }

    @Test
    void nodePatternsOpsAndResidualAddsAreConfigurable() {
        OnnxModel fp32 = smallVit(32, 8);
        Fp16Options o = Fp16Options.builder().keepFp32("blocks.1.mlp/*", "Erf").keepResidualAdds(true).build();
        Fp16Converter.Result r = Fp16Converter.convert(fp32, o);
        Graph g = r.model().graph();
        for (Node n : g.nodes()) {
            if (n.name().startsWith("blocks.1.mlp/") && !n.is("Cast") && !n.is("Constant")) {
                assertTrue(r.keptFp32().containsKey(n.name()), n + " should be kept");
            }
            if (n.is("Erf")) {
                assertEquals(TensorData.FLOAT, elemType(g, n.output(0)));
            }
        }
        // residual adds: 2 per block, operand of a LayerNorm or feeding one
        long residual = r.keptFp32().values().stream().filter(v -> v.equals("residual Add")).count();
        assertTrue(residual >= 3, r.keptFp32().toString());
        Tensor x = gaussian(new long[] {1, 3, 32, 32}, 5);
        assertTrue(Metrics.of(run(fp32, x), run(r.model(), x)).cosine() > 0.999);

        Fp16Converter.Result half = Fp16Converter.convert(fp32, Fp16Options.builder().keepIoFp32(false).build());
        assertEquals(TensorData.FLOAT16, Graph.elemType(half.model().graph().inputs().get(0)));
        assertEquals(TensorData.FLOAT16, Graph.elemType(half.model().graph().outputs().get(0)));
        // float32 feeds run it on ONNX Runtime (converted at the boundary, as on TensorRT) and the output comes back float32
        assertTrue(Metrics.of(run(fp32, x), run(half.model(), x)).cosine() > 0.999);
    }

    @Test
    void constantNodesAreConvertedAndInitializersSharedWithFp32NodesAreSplit() {
        io.jedge.converters.onnx.Graph g = new io.jedge.converters.onnx.Graph("g", null);
        io.jedge.converters.onnx.GraphBuilder b = new io.jedge.converters.onnx.GraphBuilder(g);
        String x = b.input("x", TensorData.FLOAT, new long[] {-1, 8}, "batch");
        Node c = g.add(new Node("two", "Constant", "", List.of(), List.of("two_out")));
        c.set("value", TensorData.scalar("v", 2f));
        float[] gamma = {1, 2, 3, 4, 5, 6, 7, 8};
        String s = b.weight("gamma", new long[] {8}, gamma);
        String scaled = b.mul(b.mul(x, "two_out"), s); // FP16 node reading gamma
        String y = b.layerNorm(scaled, s, b.weight("beta", new long[] {8}, new float[8]), 1e-5f); // FP32 node reading gamma
        b.output(y, "y", TensorData.FLOAT, new long[] {-1, 8}, "batch");
        OnnxModel fp32 = new OnnxModel(8, Map.of("", 17L), g);

        Fp16Converter.Result r = Fp16Converter.convert(fp32, Fp16Options.defaults());
        Graph h = r.model().graph();
        Node constant = h.nodes().stream().filter(n -> n.is("Constant")).findFirst().orElseThrow();
        assertEquals(TensorData.FLOAT16, constant.attrTensor("value").getDataType());
        Node ln = h.nodes().stream().filter(n -> n.is("LayerNormalization")).findFirst().orElseThrow();
        assertEquals(TensorData.FLOAT, h.initializer(ln.input(1)).orElseThrow().getDataType());
        assertEquals(TensorData.FLOAT16, h.initializer("gamma").orElseThrow().getDataType());
        assertTrue(!ln.input(1).equals("gamma"), "LN reads a float32 copy of gamma");

        Tensor in = gaussian(new long[] {3, 8}, 1);
        float[] ref;
        float[] got;
        try (InferenceSession a = SessionFactory.open(fp32, "a", SessionOptions.defaults()); InferenceSession c16 = SessionFactory.open(r.model(), "b", SessionOptions.defaults())) {
            ref = a.run(Map.of("x", in), Set.of("y")).get("y").floats();
            got = c16.run(Map.of("x", in), Set.of("y")).get("y").floats();
        }
        assertTrue(io.jedge.converters.Fixtures.maxAbsDiff(ref, got) < 0.02, "max diff " + io.jedge.converters.Fixtures.maxAbsDiff(ref, got));
    }
}
