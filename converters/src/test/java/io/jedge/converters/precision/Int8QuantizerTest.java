package io.jedge.converters.precision;

import io.jedge.converters.compare.Metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.jedge.converters.attention.VanillaAttention;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.VitBuilder;
import io.jedge.converters.models.VitConfig;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Int8QuantizerTest {
    static final List<TensorSpec> SMALL_INPUT = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 32L, 32L)));

    static OnnxModel smallVit() {
        return Fp16ConverterTest.smallVit(32, 8);
    }

    static Node matMulWithWeight(Graph g, String weight) {
        return g.nodes().stream().filter(n -> n.is("MatMul") && (n.input(1).equals(weight)
                || g.producer(n.input(1)).map(p -> p.input(0).startsWith(weight)).orElse(false))).findFirst().orElseThrow();
    }

    static Node producer(Graph g, String t) {
        return g.producer(t).orElse(null);
    }

    static boolean fedByQdq(Graph g, String t) {
        Node dq = producer(g, t);
        return dq != null && dq.is("DequantizeLinear") && producer(g, dq.input(0)) != null
                && producer(g, dq.input(0)).is("QuantizeLinear");
    }

    @Test
    void tensorRtPlacementWeightsPerChannelActivationsSymmetricAttentionAndEdgesFloat() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().profile(QuantProfile.TENSORRT).build());
        Int8Quantizer.Calibration c = q.calibrate(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), null);
        Graph g = q.apply(c, Set.of()).graph();

        for (String layer : List.of("blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.0.mlp.fc1", "blocks.1.mlp.fc2")) {
            Node mm = matMulWithWeight(g, layer + ".weight");
            Node wdq = producer(g, mm.input(1));
            assertTrue(wdq.is("DequantizeLinear"), layer + " weight from " + wdq);
            TensorProto w = g.initializer(wdq.input(0)).orElseThrow();
            assertEquals(TensorData.INT8, w.getDataType());
            assertEquals(1, wdq.attrInt("axis", -99), "per-channel axis N of [K,N]");
            long n = TensorData.dims(w)[1];
            assertEquals(List.of(n), g.initializer(wdq.input(1)).orElseThrow().getDimsList());
            assertTrue(java.util.Arrays.stream(g.longs(g.initializer(wdq.input(2)).orElseThrow())).allMatch(z -> z == 0));
            // activation: Q→DQ, int8 zero point 0
            assertTrue(fedByQdq(g, mm.input(0)), layer + " activation " + mm.input(0));
            Node adq = producer(g, mm.input(0));
            TensorProto zp = g.initializer(adq.input(2)).orElseThrow();
            assertEquals(TensorData.INT8, zp.getDataType());
            assertEquals(0, g.longs(zp)[0]);
            assertEquals(0, zp.getDimsCount(), "per-tensor activation scale");
            // no output Q/DQ on a MatMul (TensorRT)
            for (Node consumer : g.consumers(mm.output(0))) {
                assertFalse(consumer.is("QuantizeLinear"), layer + " output quantized");
            }
        }
        // attention BMMs, softmax, LayerNorm, the head and the patch embedding stay float
        for (Node n : g.nodes()) {
            if (n.is("MatMul") && g.constant(n.input(1)).isEmpty() && !producer(g, n.input(1)).is("DequantizeLinear")) {
                assertFalse(fedByQdq(g, n.input(0)) || fedByQdq(g, n.input(1)), "attention MatMul " + n + " quantized");
            }
            if (n.is("Softmax") || n.is("LayerNormalization")) {
                assertFalse(fedByQdq(g, n.input(0)), n + " quantized");
            }
        }
        Node head = matMulWithWeight(g, "head.weight");
        assertEquals("head.weight", head.input(1));
        Node conv = g.nodes().stream().filter(n -> n.is("Conv")).findFirst().orElseThrow();
        assertEquals("patch_embed.proj.weight", conv.input(1));
        Map<String, Int8Quantizer.QuantLayer> plan = new java.util.HashMap<>();
        q.plan(fp32).forEach(l -> plan.put(l.layer(), l));
        assertTrue(plan.get("head").reason().startsWith("last layer"), plan.get("head").toString());
        assertTrue(plan.get("patch_embed.proj").reason().startsWith("first layer"), plan.get("patch_embed.proj").toString());
        assertEquals(8, plan.values().stream().filter(Int8Quantizer.QuantLayer::quantized).count());
        // one shared Q/DQ per activation tensor
        long qs = g.nodes().stream().filter(n -> n.is("QuantizeLinear")).count();
        assertEquals(c.ranges().size(), qs);
    }

    @Test
    void ortCpuPlacementUsesUint8ActivationsAndQLinearConvGroups() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().profile(QuantProfile.ORT_CPU).defaultExclusions(false)
                .minGemmSize(2).build());
        Int8Quantizer.Calibration c = q.calibrate(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), null);
        OnnxModel m = q.apply(c, Set.of());
        Graph g = m.graph();
        Node conv = g.nodes().stream().filter(n -> n.is("Conv")).findFirst().orElseThrow();
        assertTrue(fedByQdq(g, conv.input(0)));
        Node wdq = producer(g, conv.input(1));
        assertEquals(0, wdq.attrInt("axis", -1));
        Node bdq = producer(g, conv.input(2));
        assertTrue(bdq.is("DequantizeLinear"));
        assertEquals(TensorData.INT32, g.initializer(bdq.input(0)).orElseThrow().getDataType());
        // output Q→DQ, consumers read the DQ output under the conv's original output name
        Node outQ = g.consumers(conv.output(0)).get(0);
        assertTrue(outQ.is("QuantizeLinear"), "conv output feeds " + outQ);
        Node qkv = matMulWithWeight(g, "blocks.0.attn.qkv.weight");
        Node adq = producer(g, qkv.input(0));
        assertEquals(TensorData.UINT8, g.initializer(adq.input(2)).orElseThrow().getDataType());
        // the head is quantized now too (no default exclusions)
        assertTrue(producer(g, matMulWithWeight(g, "head.weight").input(1)).is("DequantizeLinear"));

        float[] ref = Fp16ConverterTest.run(fp32, Fp16ConverterTest.gaussian(new long[] {4, 3, 32, 32}, 9));
        float[] got = Fp16ConverterTest.run(m, Fp16ConverterTest.gaussian(new long[] {4, 3, 32, 32}, 9));
        assertTrue(Metrics.of(ref, got).cosine() > 0.98, Metrics.of(ref, got).toString());
    }

    @Test
    void attentionAndExclusionsAreOptions() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().quantizeAttention(true).excludeLayers(List.of("blocks.1.*")).build());
        Int8Quantizer.Calibration c = q.calibrate(fp32, CalibrationSet.seeded(SMALL_INPUT, 4, 1), null);
        Graph g = q.apply(c, Set.of()).graph();
        Node softmax = g.nodes().stream().filter(n -> n.is("Softmax") && n.name().startsWith("blocks.0")).findFirst().orElseThrow();
        Node pv = g.nodes().stream().filter(n -> n.is("MatMul") && fedByQdq(g, n.input(0))
                && producer(g, producer(g, n.input(0)).input(0)).input(0).equals(softmax.output(0))).findFirst().orElseThrow();
        assertTrue(fedByQdq(g, pv.input(1)), "V of " + pv + " not quantized");
        // softmax output range is its observed [0, max], not clipped
        CalibratedRange r = c.ranges().get(softmax.output(0));
        assertEquals(CalibrationMethod.MINMAX, r.method());
        assertTrue(r.amax() <= 1f);
        Node fc2 = matMulWithWeight(g, "blocks.1.mlp.fc2.weight");
        assertEquals("blocks.1.mlp.fc2.weight", fc2.input(1));
        assertTrue(q.plan(fp32).stream().anyMatch(l -> l.layer().equals("blocks.1.mlp.fc2") && !l.quantized()
                && l.reason().contains("--exclude-layers")));
    }

    @Test
    void quantizedMicroVitStaysCloseToFp32InOnnxRuntime() {
        OnnxModel fp32 = VitBuilder.build(VitConfig.preset("micro"), new SeededWeights(1), new VanillaAttention());
        List<TensorSpec> in = List.of(new TensorSpec("pixels", "float32", List.of(-1L, 3L, 224L, 224L)));
        for (QuantProfile p : QuantProfile.values()) {
            Int8Quantizer q = new Int8Quantizer(Int8Options.builder().profile(p).maxAutoExclude(0).build());
            Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(in, 16, 1), CalibrationSet.seeded(in, 8, 2), 0.99, true, null);
            AccuracyEvaluation e = r.evaluation().orElseThrow();
            assertTrue(e.overall().cosine() >= 0.99, p + ": " + e.overall());
            assertEquals(8, r.quantizedCount());
            assertFalse(e.layers().isEmpty());
            assertTrue(e.layers().stream().allMatch(l -> l.sqnrDb() > 10 && l.sqnrDb() < 100), e.layers().toString());
        }
    }

    @Test
    void validationLoopExcludesTheWorstLayersUpToItsBudget() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().maxAutoExclude(2).build());
        Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), CalibrationSet.seeded(SMALL_INPUT, 8, 2),
                0.9999999, true, null);
        assertEquals(2, r.autoExcluded().size());
        assertEquals(Set.copyOf(r.autoExcluded()), r.layers().stream()
                .filter(l -> l.reason().startsWith("excluded by the validation loop")).map(Int8Quantizer.QuantLayer::layer)
                .collect(java.util.stream.Collectors.toSet()));
        assertEquals(6, r.quantizedCount());
        assertTrue(r.evaluation().orElseThrow().overall().cosine() < 0.9999999);
    }

    /**
     * With the caller's measure, layers are ranked by it (each kept float alone) rather than by SQNR, and kept float in
     * that order until the measure holds: here a measure that only one layer's float weights satisfy.
     */
    @Test
    void aCallersMeasureRanksTheLayersTheLoopKeepsFloat() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().maxAutoExclude(3).build());
        List<Integer> calls = new ArrayList<>();
        // float blocks.1.mlp.fc1 keeps its MatMul weight an initializer: the measure is 1 exactly then
        java.util.function.Function<OnnxModel, Int8Quantizer.Measurement> measure = m -> {
            calls.add(1);
            return figure(m.graph().initializer("blocks.1.mlp.fc1.weight").isPresent() ? 1.0 : 0.5);
        };
        Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), CalibrationSet.seeded(SMALL_INPUT, 8, 2),
                0.99, true, null, measure);
        assertEquals(List.of("blocks.1.mlp.fc1"), r.autoExcluded(), "the one layer that satisfies the measure, found first");
        String why = r.layers().stream().filter(l -> l.layer().equals("blocks.1.mlp.fc1")).findFirst().orElseThrow().reason();
        assertEquals("excluded by the validation loop (cosine 0.50000 < 0.99; 1.00000 with this layer alone float)", why);
        assertEquals(1 + 8, calls.size(), "the first model and each of the 8 quantized layers alone; the result is the best of"
                + " those, not measured again");
        assertEquals(1.0, r.measurement().orElseThrow().cosine(), "the result's measure is the loop's");
        assertTrue(r.evaluation().isPresent(), "the held-out evaluation still describes the result");

        calls.clear();
        Int8Quantizer.Result enough = q.quantize(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), CalibrationSet.seeded(SMALL_INPUT, 8, 2),
                0.4, true, null, measure);
        assertEquals(List.of(), enough.autoExcluded());
        assertEquals(1, calls.size(), "a model that holds is measured once");
    }

    private static Int8Quantizer.Measurement figure(double cosine) {
        return new Int8Quantizer.Measurement(cosine, Map.of("figure", cosine));
    }

    /** The layers the plan quantizes whose float weight is still an initializer of {@code m}: those kept float there. */
    private static List<String> floatLayers(OnnxModel m, List<String> quantizable) {
        return quantizable.stream().filter(l -> m.graph().initializer(l + ".weight").isPresent()).toList();
    }

    /**
     * One sensitive layer helps; kept float alone, every other layer does no better than none float (one does worse, one
     * gives NaN). The loop keeps the sensitive one and stops there rather than spending its budget on the others, and
     * says which it did not keep float and why.
     */
    @Test
    void theLoopKeepsFloatOnlyLayersThatDoBetterAloneThanNoneFloat() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().maxAutoExclude(3).build());
        List<String> quantizable = q.plan(fp32).stream().filter(Int8Quantizer.QuantLayer::quantized).map(Int8Quantizer.QuantLayer::layer)
                .toList();
        assertEquals(8, quantizable.size(), quantizable.toString());
        assertEquals(quantizable, floatLayers(fp32, quantizable), "every quantizable layer's weight is named after it");
        List<OnnxModel> measured = new ArrayList<>();
        java.util.function.Function<OnnxModel, Int8Quantizer.Measurement> measure = m -> {
            measured.add(m);
            List<String> f = floatLayers(m, quantizable);
            if (f.contains("blocks.0.mlp.fc2")) {
                return figure(Double.NaN); // ranked last, not first as Double's order would have it
            }
            return figure(0.9 + (f.contains("blocks.1.mlp.fc1") ? 0.05 : 0) - (f.contains("blocks.0.attn.qkv") ? 0.01 : 0));
        };
        Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), CalibrationSet.seeded(SMALL_INPUT, 8, 2),
                0.99, true, null, measure);
        assertEquals(List.of("blocks.1.mlp.fc1"), r.autoExcluded(), "only the layer that helps is kept float");
        assertEquals(7, r.quantizedCount());
        // the budget of 3 allowed two more: the next two in rank order, the ties in the model's order
        List<String> ties = quantizable.stream().filter(l -> !List.of("blocks.1.mlp.fc1", "blocks.0.mlp.fc2", "blocks.0.attn.qkv")
                .contains(l)).limit(2).toList();
        assertEquals(ties, List.copyOf(r.notKeptFloat().keySet()));
        assertEquals("not kept float by the validation loop, which its budget allowed (cosine 0.95000 < 0.99): 0.90000 with this"
                + " layer alone float, no better than 0.90000 with every layer quantized", r.notKeptFloat().get(ties.get(0)));
        assertEquals(0.95, r.measurement().orElseThrow().cosine(), 1e-12, "the returned model's measure");
        assertEquals(1 + 8, measured.size(), "the first model and each layer alone: the result is the best of them, measured once");
        assertTrue(measured.stream().anyMatch(m -> m == r.model()), "the returned model is one the loop measured");
        assertEquals(List.of("blocks.1.mlp.fc1"), floatLayers(r.model(), quantizable));

        // PrecisionPasses carries the decision into the report's notes
        PrecisionPasses.Int8Variant v = new PrecisionPasses(PrecisionOptions.builder().int8(Int8Options.builder().maxAutoExclude(3)
                .build()).build(), line -> { }).quantize(fp32, "int8", CalibrationSet.seeded(SMALL_INPUT, 8, 1),
                CalibrationSet.seeded(SMALL_INPUT, 8, 2), true, measure);
        for (String l : ties) {
            assertTrue(v.variant().report().notes().contains("int8: " + l + " (" + r.notKeptFloat().get(l) + ")"),
                    v.variant().report().notes().toString());
        }
        assertEquals(r.notKeptFloat(), v.notKeptFloat());
    }

    /**
     * The measure travels with the model the loop returns, so no one may change that model after it is measured: the loop
     * builds each candidate afresh, and neither it nor the held-out evaluation after it edits one in place.
     */
    @Test
    void theModelTheLoopReturnsIsExactlyWhatItMeasured() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.builder().maxAutoExclude(3).build());
        List<String> quantizable = q.plan(fp32).stream().filter(Int8Quantizer.QuantLayer::quantized).map(Int8Quantizer.QuantLayer::layer)
                .toList();
        java.util.Map<OnnxModel, byte[]> seen = new java.util.IdentityHashMap<>();
        java.util.function.Function<OnnxModel, Int8Quantizer.Measurement> measure = m -> {
            seen.put(m, m.toBytes());
            List<String> f = floatLayers(m, quantizable);
            // two layers needed: the loop builds and measures a model beyond those measured alone
            return figure(0.9 + (f.contains("blocks.1.mlp.fc1") ? 0.05 : 0) + (f.contains("blocks.0.attn.qkv") ? 0.045 : 0));
        };
        Int8Quantizer.Result r = q.quantize(fp32, CalibrationSet.seeded(SMALL_INPUT, 8, 1), CalibrationSet.seeded(SMALL_INPUT, 8, 2),
                0.99, true, null, measure);
        assertEquals(List.of("blocks.1.mlp.fc1", "blocks.0.attn.qkv"), r.autoExcluded());
        assertEquals(1 + 8 + 1, seen.size(), "the first model, each layer alone, the two layers float");
        assertEquals(0.995, r.measurement().orElseThrow().cosine(), 1e-12);
        assertTrue(seen.containsKey(r.model()), "the returned model is the last one measured");
        assertTrue(java.util.Arrays.equals(seen.get(r.model()), r.model().toBytes()), "unchanged since it was measured");
        assertEquals(Map.of(), r.notKeptFloat());
    }

    @Test
    void progressIsReportedAndInterruptionStopsCleanly() {
        OnnxModel fp32 = smallVit();
        Int8Quantizer q = new Int8Quantizer(Int8Options.defaults());
        CalibrationSet set = CalibrationSet.seeded(SMALL_INPUT, 10, 1).withBatchSize(4);
        List<CalibrationProgress> seen = new ArrayList<>();
        q.calibrate(fp32, set, seen::add);
        assertEquals(List.of(4, 8, 10), seen.stream().map(CalibrationProgress::done).toList());
        assertTrue(seen.stream().allMatch(p -> p.total() == 10));
        assertEquals(0, seen.get(2).remaining().toNanos());
        assertTrue(seen.get(0).toString().contains("4/10"));

        List<CalibrationProgress> before = new ArrayList<>();
        CalibrationCancelledException e = assertThrows(CalibrationCancelledException.class, () -> q.calibrate(fp32, set, p -> {
            before.add(p);
            Thread.currentThread().interrupt();
        }));
        assertTrue(Thread.interrupted(), "interrupt flag kept for the caller");
        assertEquals(4, e.done());
        assertEquals(1, before.size());
        assertTrue(e.getMessage().contains("4 of 10"), e.getMessage());
    }
}
