package io.jedge.sdk.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GenerationOptionsTest {
    private static String refused(GenerationOptions.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void buildIsTheOnlyWayInAndRefusesBadValuesByName() {
        assertEquals("generation scheduler: null, expected a SchedulerConfig such as SchedulerConfig.of(SchedulerKind.DDIM)",
                refused(GenerationOptions.builder().scheduler((SchedulerConfig) null)));
        assertEquals("generation steps: 0, expected at least 1", refused(GenerationOptions.builder().steps(0)));
        assertEquals("elfatt fraction: NaN, expected a fraction in [0, 1]", refused(GenerationOptions.builder().elfattFraction(Double.NaN)));
        assertEquals("guidance scale 4.0 needs a class label, got unconditional (use guidance 1)",
                refused(GenerationOptions.builder().guidanceScale(4)));
        assertEquals(7, GenerationOptions.builder().steps(7).build().steps());
    }
}
