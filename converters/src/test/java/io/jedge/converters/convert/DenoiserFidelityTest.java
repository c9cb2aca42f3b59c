package io.jedge.converters.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenoiserFidelityTest {
    @Test
    void theGateFigureWithARecordedReferenceIsTheReportsWorstCosine() {
        DitConfig c = DitConfig.preset("tiny").withLatentSize(8).withClasses(10);
        OnnxModel dit = DitBuilder.build(c, new SeededWeights(11));
        OnnxModel fp16 = Fp16Converter.convert(dit, PrecisionOptions.defaults().fp16()).model();
        OnnxModel other = DitBuilder.build(c, new SeededWeights(12));
        DenoiserFidelity f = new DenoiserFidelity(dit, 10L, 1234);
        double first = f.worstNoiseCosine(dit, fp16); // records the reference
        double again = f.worstNoiseCosine(dit, fp16); // replays it
        assertEquals(first, again, 0.0, "a replayed reference gives the same figure");
        GenerationDefaults d = GenerationDefaults.builder().build();
        double report = f.precisionReport("fp16-vanilla", "fp32-vanilla", dit, fp16, d, List.of()).metrics().get("noiseCosineMin");
        assertEquals(report, first, 1e-12, "the replayed gate figure is the report's, measured afresh");
        double unrelated = f.worstNoiseCosine(dit, other);
        assertTrue(unrelated < first, "another model's figure is its own, not a replay of the last: " + unrelated + " vs " + first);
    }
}
