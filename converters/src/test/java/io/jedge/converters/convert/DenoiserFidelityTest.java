package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.attention.ElfattSdOptions;
import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.attention.FidelityFloor;
import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DenoiserFidelityTest {
    private static final DitConfig TINY = DitConfig.preset("tiny").withLatentSize(8).withClasses(10);

    private static OnnxModel dit(long seed) {
        return DitBuilder.build(TINY, new SeededWeights(seed));
    }

    private static OnnxModel fp16(OnnxModel m) {
        return Fp16Converter.convert(m, PrecisionOptions.defaults().fp16()).model();
    }

    /** What every gate reads: the worst timestep's predicted-noise cosine. */
    private static double worstNoiseCosine(DenoiserFidelity f, OnnxModel reference, OnnxModel variant) {
        return f.noiseMetrics(reference, variant).get("noiseCosineMin");
    }

    @Test
    void theGateFigureWithARecordedReferenceIsTheReportsWorstCosine() {
        OnnxModel dit = dit(11);
        OnnxModel fp16 = fp16(dit);
        OnnxModel other = dit(12);
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        double first = worstNoiseCosine(f, dit, fp16); // records the reference
        double again = worstNoiseCosine(f, dit, fp16); // replays it
        assertEquals(first, again, 0.0, "a replayed reference gives the same figure");
        GenerationDefaults d = GenerationDefaults.builder().build();
        double report = f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, fp16, d, List.of()).metrics().get("noiseCosineMin");
        assertEquals(report, first, 1e-12, "the gate figure is the report's");
        double unrelated = worstNoiseCosine(f, dit, other);
        assertTrue(unrelated < first, "another model's figure is its own, not a replay of the last: " + unrelated + " vs " + first);
        // against a reference run live: a fresh instance records it on this very comparison
        double live = worstNoiseCosine(new DenoiserFidelity(dit, 10L, 1234), dit, other);
        assertEquals(live, unrelated, 1e-12, "the replayed reference gives what the reference run live gives");
    }

    /**
     * A convert chooses an attention form's blocks, then compares every form and precision with a few references: each
     * reference runs once on the fidelity inputs and once for its 8-step generation, and each variant once per candidate
     * or report (the chosen blocks' report comes from the run that chose them).
     */
    @Test
    void eachReferenceIsRunOnceAndEachVariantOncePerCandidateOrReport() {
        OnnxModel dit = dit(11);
        OnnxModel fp16 = fp16(dit);
        OnnxModel other = dit(12);
        OnnxModel otherFp16 = fp16(other);
        GenerationDefaults d = GenerationDefaults.builder().build();
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        List<String> progress = new ArrayList<>();
        FidelityEvaluator.Selection sel = FidelityEvaluator.builder().gate(f.gate()).build()
                .selectByFidelity(dit, ElfattSdOptions.defaults(), new FidelityFloor(-0.999, 0), progress::add);
        assertEquals(2, sel.layers().size(), "a floor near -1 keeps both blocks: " + progress);
        assertEquals(3, progress.size(), "two blocks alone, then both together: " + progress);
        assertEquals(progress.size(), f.variantRuns(), "each candidate runs once: " + progress);
        Report chosen = f.withGeneration(sel.report(), dit, sel.model(), d);
        assertEquals(progress.size(), f.variantRuns(), "the chosen blocks' report comes from the run that chose them");
        assertEquals(1, f.referenceRecordings(), "one reference, one run on the fidelity inputs, with every block's result");
        assertEquals(1, f.referenceGenerations());
        assertEquals(2, chosen.layers().size(), "per-layer figures from the same run: " + chosen.layers());
        assertEquals(1, chosen.notes().stream().filter(n -> n.startsWith("cosine is")).count(), "one note says what cosine is: "
                + chosen.notes());
        // the figures a report of its own (a run more) gives
        Report own = f.withNoiseMetrics(new Report("fidelity", "v", "r", "", Map.of(), List.of(), List.of()), dit, sel.model(), d);
        assertEquals(progress.size() + 1, f.variantRuns());
        own.metrics().forEach((k, v) -> assertEquals(v, chosen.metrics().get(k), k));

        int runs = f.variantRuns();
        Report first = f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, fp16, d, List.of());
        Report second = f.withNoiseMetrics(new Report("fidelity", "fp32-other", "fp32-vanilla", "", Map.of(), List.of(), List.of()),
                dit, other, d);
        worstNoiseCosine(f, dit, other);
        assertEquals(runs + 3, f.variantRuns(), "one run per report or figure");
        assertEquals(1, f.referenceGenerations(), "one reference, one generation");
        assertEquals(1, f.referenceRecordings(), "one reference, one run on the fidelity inputs");
        Report third = f.precisionReport("fp16-other", "fp32-other", other, otherFp16, d, List.of());
        assertEquals(2, f.referenceGenerations(), "a second reference is generated once more");
        assertEquals(2, f.referenceRecordings());
        Report again = f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, fp16, d, List.of());
        assertEquals(first.metrics(), again.metrics(), "a replayed reference gives the figures a fresh one did");
        assertEquals(2, f.referenceGenerations());
        assertEquals(runs + 5, f.variantRuns());
        assertTrue(second.metrics().get("finalLatentCosine") < first.metrics().get("finalLatentCosine"),
                "another model's final latents differ more than FP16's: " + second.metrics() + " vs " + first.metrics());
        for (Report r : List.of(chosen, first, second, third)) {
            assertEquals(r.metrics().get("noiseCosineMin"), r.metrics().get("cosine"), "every report's cosine is the worst timestep's");
            assertTrue(r.notes().contains(DenoiserFidelity.GATE_NOTE), r.notes().toString());
        }
    }

    /**
     * Choosing an attention form's blocks records the source with every block's result; once the forms are chosen the
     * recording is cut to the predicted noise, and the FP16 report after it replays that (no reference run more) with
     * the figures an uncut recording gives.
     */
    @Test
    void onceTheFormsAreChosenTheRecordingHoldsOnlyTheModelsOutputs() {
        OnnxModel dit = dit(11);
        OnnxModel fp16 = fp16(dit);
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        FidelityEvaluator.builder().gate(f.gate()).build()
                .selectByFidelity(dit, ElfattSdOptions.defaults(), new FidelityFloor(-0.999, 0), l -> { });
        Set<String> outputs = new LinkedHashSet<>();
        dit.graph().outputs().forEach(v -> outputs.add(v.getName()));
        Set<String> during = f.recordedTensors(dit);
        assertTrue(during.containsAll(outputs) && during.size() >= outputs.size() + 2,
                "while blocks are chosen both blocks' results are recorded too: " + during);
        assertEquals(1, f.referenceRecordings());

        f.keepOnlyModelOutputs();
        assertEquals(outputs, f.recordedTensors(dit), "only the model's outputs are left");
        assertEquals(1, f.referenceRecordings(), "cutting runs nothing");

        GenerationDefaults d = GenerationDefaults.builder().build();
        Report report = f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, fp16, d, List.of());
        assertEquals(1, f.referenceRecordings(), "the FP16 report replays the cut recording, with no reference run more");
        assertEquals(outputs, f.recordedTensors(dit));
        Map<String, Double> uncut = new DenoiserFidelity(dit, 10L, 1234).noiseMetrics(dit, fp16);
        uncut.forEach((k, v) -> assertEquals(v, report.metrics().get(k), 1e-12, k));
    }

    /** Noise figures that are not what noiseMetrics measures are refused, once, naming what they lack; nothing runs. */
    @Test
    void aPrecisionReportFromFiguresWithoutTheWorstCosineIsRefused() {
        OnnxModel dit = dit(11);
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.precisionReport("int8-vanilla", "fp32-vanilla", dit, dit, Map.of("noiseCosine", 0.99),
                        GenerationDefaults.builder().build(), List.of()));
        assertTrue(e.getMessage().startsWith("report of int8-vanilla has no noiseCosineMin (metrics [noiseCosine])"), e.getMessage());
        assertEquals(0, f.variantRuns() + f.referenceRecordings() + f.referenceGenerations(), "refused before any run");
    }

    @Test
    void referencesAskedForTogetherAreRunOnce() throws Exception {
        OnnxModel dit = dit(11);
        OnnxModel fp16 = fp16(dit);
        GenerationDefaults d = GenerationDefaults.builder().build();
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Report>> reports = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                OnnxModel variant = fp16.copy(); // an OnnxModel is not for concurrent use; the shared reference is the point
                reports.add(pool.submit(() -> f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, variant, d, List.of())));
            }
            double cosine = reports.get(0).get().metrics().get("cosine");
            for (java.util.concurrent.Future<Report> r : reports) {
                assertEquals(cosine, r.get().metrics().get("cosine"), 1e-12);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, f.referenceGenerations());
        assertEquals(1, f.referenceRecordings());
    }
}
