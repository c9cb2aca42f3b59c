package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FidelityEvaluatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"vit224_legacy_op17", "vit224_dynamo_op23"})
    void rewrittenVitReportIsSane(String fixture) {
        OnnxModel original = OnnxModel.load(Fixtures.torchExport(fixture).resolve("model.onnx"));
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(original, ElfattSdOptions.defaults());
        Report rep = FidelityEvaluator.builder().samples(8).seed(3).build().evaluate(original, r);
        assertEquals("fidelity", rep.kind());
        assertTrue(rep.inputs().contains("8 seeded"), rep.inputs());
        double cos = rep.metrics().get("cosine");
        assertTrue(cos > 0 && cos <= 1 + 1e-9, "cosine " + cos);
        assertTrue(rep.metrics().get("cosineMin") <= cos + 1e-12);
        assertTrue(cos < 1 - 1e-7, "the agent head approximates, so the output must change: " + cos);
        double top1 = rep.metrics().get("top1Agreement");
        assertTrue(top1 >= 0 && top1 <= 1 && top1 * 8 == Math.rint(top1 * 8), "top-1 agreement over 8 samples: " + top1);
        assertTrue(rep.metrics().get("maxAbsError") > 0);
        assertTrue(rep.metrics().get("maxRelError") > 0 && rep.metrics().get("maxRelError") < 10);
        assertEquals(2, rep.layers().size());
        for (Report.LayerMetric l : rep.layers()) {
            assertEquals(1.0, l.metrics().get("converted"));
            double lc = l.metrics().get("cosine");
            assertTrue(lc > 0 && lc < 1, l.toString());
        }
        assertTrue(rep.notes().stream().anyMatch(n -> n.contains("16 agents")), rep.notes().toString());
    }

    @Test
    void identicalModelsAgreeExactly() {
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.DECOMPOSED_SPLIT_SCALE, 16, 16, 2, 1);
        AttentionBlock a = AttentionFinder.find(m.copy()).get(0);
        Report rep = FidelityEvaluator.builder().samples(3).build().compare(m, m.copy(),
                List.of(new FidelityEvaluator.LayerProbe(a.layer(), a.output(), a.output(), false)), "copy", "original", List.of());
        assertEquals(1.0, rep.metrics().get("cosine"), 1e-9);
        assertEquals(0.0, rep.metrics().get("maxAbsError"));
        assertEquals(0.0, rep.layers().get(0).metrics().get("maxRelError"));
        assertEquals(0.0, rep.layers().get(0).metrics().get("converted"));
        assertTrue(!rep.metrics().containsKey("top1Agreement"), "(B,N,C) output is not a classifier");
    }

    @Test
    void givenInputsAreUsed() {
        Path dir = Fixtures.torchExport("vit224_legacy_op17");
        OnnxModel original = OnnxModel.load(dir.resolve("model.onnx"));
        Map<String, Tensor> feed = Map.of("pixels", Tensor.ofFloats(new long[] {1, 3, 224, 224}, Fixtures.readF32(dir.resolve("input.f32"))));
        ElfattSdRewrite.Result r = ElfattSdRewrite.rewrite(original, ElfattSdOptions.builder().layers(List.of(1)).build());
        Report rep = FidelityEvaluator.builder().inputs(List.of(feed)).build().evaluate(original, r);
        assertEquals("1 given inputs", rep.inputs());
        // layer 0 is untouched and sees the same input: identical; layer 1 is converted
        Report.LayerMetric l0 = rep.layers().get(0);
        assertEquals(0.0, l0.metrics().get("converted"));
        assertEquals(0.0, l0.metrics().get("maxAbsError"), 1e-6);
        assertEquals(1.0, rep.layers().get(1).metrics().get("converted"));
        assertTrue(rep.layers().get(1).metrics().get("maxAbsError") > 1e-4);
    }

    @Test
    void fidelityMinRespectsTheBound() {
        OnnxModel original = OnnxModel.load(Fixtures.torchExport("vit224_legacy_op17").resolve("model.onnx"));
        // small blocks make each layer cost visibly more than the agent head alone would
        ElfattSdOptions o = ElfattSdOptions.builder().block(64).build();
        FidelityEvaluator eval = FidelityEvaluator.builder().samples(4).build();

        FidelityEvaluator.Selection all = eval.selectByFidelity(original, o, new FidelityFloor(-0.999, 0), l -> { });
        assertEquals(2, all.layers().size(), "a floor near -1 accepts every layer");
        assertEquals(2, all.aloneCosine().size());

        double best = all.aloneCosine().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double bound = best - 1e-6;
        FidelityEvaluator.Selection some = eval.selectByFidelity(original, o, new FidelityFloor(bound, 0), l -> { });
        assertTrue(!some.layers().isEmpty(), "the least damaging layer alone meets a bound just below its cosine");
        assertTrue(some.report().metrics().get("cosine") >= bound, some.report().metrics().toString());
        for (int l : some.layers()) {
            assertTrue(all.aloneCosine().get(l) >= bound);
        }
        assertEquals(some.layers().size(), some.report().layers().stream().filter(l -> l.metrics().get("converted") == 1.0).count());

        FidelityEvaluator.Selection none = eval.selectByFidelity(original, o, new FidelityFloor(1.0, 0), l -> { });
        assertTrue(none.layers().isEmpty());
        assertEquals(1.0, none.report().metrics().get("cosine"), 1e-9);
        assertTrue(none.report().notes().stream().anyMatch(n -> n.contains("nothing converted")));
    }

    /**
     * With a gate, blocks are chosen on its figure, not the mean output cosine: here the worst sample's cosine, which a
     * floor between a layer's worst and mean cosine tells apart (a mean-based choice would keep that layer).
     */
    @Test
    void aGateDecidesTheSelectionAndTheReportSaysWhichFigureItIs() {
        OnnxModel original = OnnxModel.load(Fixtures.torchExport("vit224_legacy_op17").resolve("model.onnx"));
        ElfattSdOptions o = ElfattSdOptions.builder().block(64).build();
        FidelityEvaluator plain = FidelityEvaluator.builder().samples(4).build();
        FidelityEvaluator.Gate worstSample = new FidelityEvaluator.Gate() {
            @Override
            public double cosine(OnnxModel reference, OnnxModel variant) {
                return plain.compare(reference, variant, List.of(), "v", "r", List.of()).metrics().get("cosineMin");
            }

            @Override
            public String statistic() {
                return "worst-sample cosine";
            }
        };
        FidelityEvaluator gated = FidelityEvaluator.builder().samples(4).gate(worstSample).build();
        Map<Integer, Double> mean = plain.selectByFidelity(original, o, new FidelityFloor(-0.999, 0), l -> { }).aloneCosine();
        List<String> log = new java.util.ArrayList<>();
        Map<Integer, Double> worst = gated.selectByFidelity(original, o, new FidelityFloor(-0.999, 0), log::add).aloneCosine();
        assertTrue(log.stream().anyMatch(l -> l.contains("alone: worst-sample cosine ")), log.toString());
        int layer = mean.keySet().stream().max(java.util.Comparator.comparingDouble(l -> mean.get(l) - worst.get(l))).orElseThrow();
        assertTrue(worst.get(layer) < mean.get(layer) - 1e-6, "samples differ, so the worst is below the mean: " + worst + " vs " + mean);
        FidelityFloor between = new FidelityFloor((worst.get(layer) + mean.get(layer)) / 2, 0);

        assertTrue(plain.selectByFidelity(original, o, between, l -> { }).layers().contains(layer), "the mean passes " + between);
        FidelityEvaluator.Selection sel = gated.selectByFidelity(original, o, between, l -> { });
        assertTrue(!sel.layers().contains(layer), "the gate's figure is below " + between + ": " + sel.layers());
        double reported = sel.report().metrics().get("cosine");
        assertTrue(reported >= between.cosine() || sel.layers().isEmpty(), sel.report().metrics().toString());
        assertEquals(worstSample.cosine(original, sel.model()), reported, 1e-9, "the report's cosine is the gate's figure");
        assertTrue(sel.report().metrics().containsKey("outputCosine"), sel.report().metrics().toString());
        assertTrue(sel.report().notes().stream().anyMatch(n -> n.startsWith("cosine is the worst-sample cosine, what the fidelity floor reads")),
                sel.report().notes().toString());
    }

    @Test
    void builderIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> FidelityEvaluator.builder().samples(0).build());
        assertThrows(IllegalArgumentException.class, () -> FidelityEvaluator.builder().inputs(List.of()).build());
        assertThrows(IllegalArgumentException.class, () -> FidelityEvaluator.builder().threads(-1).build());
        OnnxModel m = AttentionTestSupport.transformerAttention(Kind.MS_MHA, 16, 16, 2, 1);
        assertThrows(IllegalArgumentException.class,
                () -> FidelityEvaluator.builder().build().selectByFidelity(m, ElfattSdOptions.defaults(), new FidelityFloor(1.5, 0), l -> { }));
    }
}
