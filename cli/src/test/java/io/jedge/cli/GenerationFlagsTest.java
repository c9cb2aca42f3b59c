package io.jedge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jedge.cli.options.GenerationFlags;
import io.jedge.sdk.diffusion.GenerationOptions;
import io.jedge.sdk.diffusion.PredictionType;
import io.jedge.sdk.diffusion.SchedulerKind;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** generate's sampling options, shared by the CLI and the generate sample: checked before work, applied only when given. */
class GenerationFlagsTest {
    static GenerationFlags parsed(String... args) {
        GenerationFlags f = new GenerationFlags();
        new CommandLine(f).parseArgs(args);
        return f;
    }

    @Test
    void badValuesAreOneLineNamingTheOption() {
        assertEquals("--elfatt-steps 2.0, expected a fraction in [0, 1]",
                assertThrows(IllegalArgumentException.class, () -> parsed("--elfatt-steps", "2").check()).getMessage());
        assertEquals("--steps 0, expected at least 1", assertThrows(IllegalArgumentException.class, () -> parsed("--steps", "0").check()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> parsed("--guidance", "-1").check());
        assertThrows(IllegalArgumentException.class, () -> parsed("--scheduler", "plms").check());
    }

    @Test
    void givenValuesOverrideTheBundlesAndTheRestStay() {
        GenerationOptions base = GenerationOptions.builder().steps(25).classLabel(3).nullClass(10).guidanceScale(4).build();
        GenerationOptions o = parsed("--steps", "7", "--scheduler", "ddim").apply(GenerationOptions.builder().steps(25).classLabel(3).nullClass(10).guidanceScale(4),
                PredictionType.EPSILON).build();
        assertEquals(7, o.steps());
        assertEquals(SchedulerKind.DDIM, o.scheduler().kind());
        assertEquals(base.guidanceScale(), o.guidanceScale(), 1e-12, "not given: the bundle's value stays");
    }
}
