package io.jedge.converters.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.Fixtures;
import io.jedge.converters.attention.AttentionTestSupport.Kind;
import io.jedge.converters.compare.ModelComparator;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
        assertTrue(none.report().metrics().isEmpty(), "nothing is run for the unchanged copy: " + none.report().metrics());
        assertTrue(none.report().notes().stream().anyMatch(n -> n.contains("nothing converted")));
    }

    /**
     * With a gate, blocks are chosen on its figure, not the mean output cosine: here the worst sample's cosine, which a
     * floor between a layer's worst and mean cosine tells apart (a mean-based choice would keep that layer). The gate runs
     * each candidate once, and the chosen one's report comes from that run.
     */
    @Test
    void aGateDecidesTheSelectionAndTheReportSaysWhichFigureItIs() {
        OnnxModel original = OnnxModel.load(Fixtures.torchExport("vit224_legacy_op17").resolve("model.onnx"));
        ElfattSdOptions o = ElfattSdOptions.builder().block(64).build();
        FidelityEvaluator plain = FidelityEvaluator.builder().samples(4).build();
        AtomicInteger runs = new AtomicInteger();
        FidelityEvaluator.Gate worstSample = new FidelityEvaluator.Gate() {
            @Override
            public FidelityEvaluator.Measurement measure(OnnxModel reference, OnnxModel variant, List<ModelComparator.Probe> probes) {
                runs.incrementAndGet();
                ModelComparator.Result r = runLive(reference, variant, probes);
                return new FidelityEvaluator.Measurement(r, Map.of("cosine", r.get(probes.get(0).name()).sampleCosineMin()), "4 inputs");
            }

            @Override
            public String statistic() {
                return "worst-sample cosine";
            }
        };
        // inputs no model can run: a gated selection runs nothing but the gate's measurements
        FidelityEvaluator gated = FidelityEvaluator.builder().inputs(List.of(Map.of())).gate(worstSample).build();
        assertThrows(RuntimeException.class, () -> gated.compare(original, original, List.of(), "v", "r", List.of()));
        Map<Integer, Double> mean = plain.selectByFidelity(original, o, new FidelityFloor(-0.999, 0), l -> { }).aloneCosine();
        List<String> log = new java.util.ArrayList<>();
        FidelityEvaluator.Selection all = gated.selectByFidelity(original, o, new FidelityFloor(-0.999, 0), log::add);
        Map<Integer, Double> worst = all.aloneCosine();
        assertTrue(log.stream().anyMatch(l -> l.contains("alone: worst-sample cosine ")), log.toString());
        assertEquals(log.size(), runs.get(), "one run per candidate measured (a progress line each), none for the report: " + log);
        // the same figures a live evaluation of the chosen rewrite gives, from the run that chose it
        Report live = plain.evaluate(original, ElfattSdRewrite.rewrite(original, o.toBuilder().layers(all.layers()).build()));
        assertEquals(live.layers(), all.report().layers(), "per-layer figures");
        assertEquals(live.metrics().get("cosine"), all.report().metrics().get("outputCosine"), "mean output cosine");
        assertEquals(live.metrics().get("cosineMin"), all.report().metrics().get("cosine"), "the gate's figure");
        assertEquals(1, all.report().notes().stream().filter(n -> n.contains("cosine is ")).count(), all.report().notes().toString());

        int layer = mean.keySet().stream().max(java.util.Comparator.comparingDouble(l -> mean.get(l) - worst.get(l))).orElseThrow();
        assertTrue(worst.get(layer) < mean.get(layer) - 1e-6, "samples differ, so the worst is below the mean: " + worst + " vs " + mean);
        FidelityFloor between = new FidelityFloor((worst.get(layer) + mean.get(layer)) / 2, 0);

        assertTrue(plain.selectByFidelity(original, o, between, l -> { }).layers().contains(layer), "the mean passes " + between);
        FidelityEvaluator.Selection sel = gated.selectByFidelity(original, o, between, l -> { });
        assertTrue(!sel.layers().contains(layer), "the gate's figure is below " + between + ": " + sel.layers());
        double reported = sel.report().metrics().get("cosine");
        assertTrue(reported >= between.cosine() || sel.layers().isEmpty(), sel.report().metrics().toString());
        if (!sel.layers().isEmpty()) {
            assertEquals(plain.compare(original, sel.model(), List.of(), "v", "r", List.of()).metrics().get("cosineMin"), reported, 1e-9,
                    "the report's cosine is the gate's figure");
            assertTrue(sel.report().metrics().containsKey("outputCosine"), sel.report().metrics().toString());
            assertTrue(sel.report().notes().stream().anyMatch(n -> n.startsWith("cosine is the worst-sample cosine, what the fidelity floor reads")),
                    sel.report().notes().toString());
        }

        runs.set(0);
        FidelityEvaluator.Selection none = gated.selectByFidelity(original, o, new FidelityFloor(1.0, 0), l -> { });
        assertTrue(none.layers().isEmpty() && none.report().metrics().isEmpty(), none.report().toString());
        assertEquals(worst.size(), runs.get(), "with nothing chosen, only the candidates alone are run");
    }

    /** The probes' comparison with both models run on 4 seeded inputs, as the plain evaluator above runs them. */
    private static ModelComparator.Result runLive(OnnxModel reference, OnnxModel variant, List<ModelComparator.Probe> probes) {
        SessionOptions so = SessionOptions.builder().threads(2).build();
        try (InferenceSession rs = SessionFactory.open(reference.withOutputs(probes.stream().flatMap(p -> p.reference().stream()).toList()),
                "reference", so);
                InferenceSession vs = SessionFactory.open(variant.withOutputs(probes.stream().flatMap(p -> p.candidate().stream()).toList()),
                        "variant", so)) {
            return ModelComparator.run(rs, vs, SeededInputs.feeds(rs.inputs(), 4, 1, 42), probes);
        }
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
