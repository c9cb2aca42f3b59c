package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Int8Options;
import io.jedge.converters.precision.NoInt8LayerException;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Int8CalibrationTest {
    private static final DitConfig TINY = DitConfig.preset("tiny").withLatentSize(8).withClasses(10);

    private static PrecisionOptions floor(double minCosine, int budget) {
        return PrecisionOptions.builder().minCosine(minCosine).int8(Int8Options.builder().maxAutoExclude(budget).build()).build();
    }

    /**
     * An INT8 denoiser's report holds the validation loop's last measure of the model it returns: the variant runs on the
     * fidelity inputs once per model the loop measures, and not once more for the report (it did, one session per form).
     */
    @Test
    void theReportReusesTheLoopsLastMeasureOfTheModel() {
        OnnxModel dit = DitBuilder.build(TINY, new SeededWeights(11));
        GenerationDefaults d = GenerationDefaults.builder().build();
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        List<String> log = new ArrayList<>();
        Int8Calibration calibration = new Int8Calibration(f, dit, d, log::add);

        // the first model holds the floor: measured once, by the loop, and the report reads that measure
        Int8Calibration.Int8Denoiser holds = calibration.quantize(dit, "int8-vanilla", "fp32-vanilla", floor(0.5, 2));
        assertEquals(1, f.variantRuns(), "one run on the fidelity inputs for an INT8 model that holds its floor");
        assertEquals(holds.report().metrics().get("noiseCosineMin"), holds.report().metrics().get("cosine"));

        // above what any INT8 model reaches, the loop measures the first model and each layer alone, then keeps layers float
        int before = f.variantRuns();
        Int8Calibration.Int8Denoiser loop = calibration.quantize(dit, "int8-vanilla", "fp32-vanilla", floor(1.0, 2));
        String autoAttr = loop.attributes().get("autoExcludedLayers");
        int kept = autoAttr == null ? 0 : autoAttr.split(",").length;
        int layers = Integer.parseInt(loop.attributes().get("quantizedLayers")) + kept;
        // the first layer kept float is the model measured alone; each one after it is one more model
        assertEquals(1 + layers + Math.max(0, kept - 1), f.variantRuns() - before,
                "the first model, " + layers + " layers alone and " + kept + " kept float (" + autoAttr + "), none for the report");
        assertTrue(kept > 0 || loop.report().notes().stream().anyMatch(n -> n.contains("not kept float by the validation loop")),
                "the loop kept a layer float or said why not: " + loop.report().notes());

        // the reused figures are the returned model's own: measured live against a fresh reference, they are the same
        Map<String, Double> live = new DenoiserFidelity(dit, 10L, 1234).noiseMetrics(dit, loop.model());
        live.forEach((k, v) -> assertEquals(v, loop.report().metrics().get(k), 0.0, k));
        assertEquals(live.get("noiseCosineMin"), loop.report().metrics().get("cosine"), 0.0);
    }

    /** A plan that quantizes no layer is refused before the calibration generations are recorded for it. */
    @Test
    void aPlanWithNoInt8LayerIsRefusedBeforeAnyGenerationIsRecorded() {
        OnnxModel dit = DitBuilder.build(TINY, new SeededWeights(11));
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        List<String> log = new ArrayList<>();
        Int8Calibration calibration = new Int8Calibration(f, dit, GenerationDefaults.builder().build(), log::add);
        PrecisionOptions excludeAll = PrecisionOptions.builder().int8(Int8Options.builder().excludeLayers(List.of("blocks.*")).build())
                .build();

        NoInt8LayerException e = assertThrows(NoInt8LayerException.class,
                () -> calibration.quantize(dit, "int8-vanilla", "fp32-vanilla", excludeAll));

        assertTrue(e.reason().startsWith("the INT8 plan keeps all ") && e.reason().contains("excluded by --exclude-layers"), e.reason());
        assertTrue(e.hint().contains("name fewer layers in --exclude-layers"), e.hint());
        assertEquals(List.of(), log, "nothing recorded, calibrated or measured");
        assertEquals(0, f.variantRuns());
    }
}
