package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationDefaultsTest {
    @Test
    void roundTripsThroughThePipelineMap() {
        GenerationDefaults d = GenerationDefaults.builder().scheduler(SchedulerKind.EULER_ANCESTRAL).steps(30).guidanceScale(1.5)
                .latentSize(4, 16, 24).latentScalingFactor(1.0).nullClass(1000L).elfattFraction(0.3)
                .decoderRange(PixelRange.ZERO_TO_ONE).noiseSchedule(BetaSchedule.SCALED_LINEAR, 1000, 0.00085, 0.012)
                .predictionType(PredictionType.V_PREDICTION).build();
        Map<String, String> p = d.toPipeline();
        assertEquals("euler-a", p.get("scheduler"));
        assertEquals(d, GenerationDefaults.fromPipeline(p));
        assertEquals(NoiseSchedule.scaledLinear(1000, 0.00085, 0.012), d.noiseSchedule());
    }

    @Test
    void appliesToOptions() {
        GenerationDefaults d = GenerationDefaults.builder().steps(12).nullClass(10L).guidanceScale(3).latentSize(4, 8, 8).build();
        GenerationOptions o = d.applyTo(GenerationOptions.builder()).classLabel(2).build();
        assertEquals(12, o.steps());
        assertEquals(3.0, o.guidanceScale());
        assertEquals(10L, o.nullClass());
        assertEquals(8, o.latentHeight());
        GenerationOptions unconditional = GenerationDefaults.builder().build().applyTo(GenerationOptions.builder()).build();
        assertEquals(1.0, unconditional.guidanceScale(), "no null class: guidance stays off");
    }

    @Test
    void missingOrMalformedKeysAreNamed() {
        Map<String, String> p = new LinkedHashMap<>(GenerationDefaults.builder().build().toPipeline());
        p.remove("trainSteps");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.fromPipeline(p));
        assertTrue(e.getMessage().contains("pipeline.trainSteps is missing"), e.getMessage());
        p.put("trainSteps", "1000");
        p.put("steps", "many");
        e = assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.fromPipeline(p));
        assertTrue(e.getMessage().contains("pipeline.steps: 'many', expected an integer"), e.getMessage());
        p.put("steps", "0");
        e = assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.fromPipeline(p));
        assertTrue(e.getMessage().contains("pipeline.steps: 0, expected 1 to 100000"), e.getMessage());
        p.put("steps", "25");
        // values that would make a generator allocate or loop without end
        for (String[] bad : new String[][] {{"trainSteps", "2147483647", "pipeline.trainSteps: 2147483647, expected 1 to 100000"},
                {"latentHeight", "1000000", "pipeline.latentHeight: 1000000, expected 1 to 4096"},
                {"latentChannels", "0", "pipeline.latentChannels: 0, expected 1 to 1024"},
                {"guidanceScale", "NaN", "pipeline.guidanceScale: NaN, expected a finite value >= 0"},
                {"elfattFraction", "NaN", "pipeline.elfattFraction: NaN, expected in [0, 1]"}}) {
            Map<String, String> q = new LinkedHashMap<>(p);
            q.put(bad[0], bad[1]);
            e = assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.fromPipeline(q), bad[0]);
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
    }

    @Test
    void schedulerIdsParse() {
        for (SchedulerKind k : SchedulerKind.values()) {
            assertEquals(k, SchedulerKind.parse(k.id()));
            assertEquals(k, SchedulerKind.parse(k.name()));
        }
        assertEquals(SchedulerKind.DPM_SOLVER_PP_2M, SchedulerKind.parse("DPM++2M"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchedulerKind.parse("heun"));
        assertTrue(e.getMessage().contains("'heun'"), e.getMessage());
    }
}
