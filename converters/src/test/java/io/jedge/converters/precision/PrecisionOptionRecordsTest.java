package io.jedge.converters.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Fp16Options, Int8Options and PrecisionOptions check their values in their constructors. */
class PrecisionOptionRecordsTest {
    static void refused(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void fp16() {
        refused("long-softmax axis length -1", () -> new Fp16Options(Set.of(), List.of(), -1, false, false));
        refused("keep-fp32 node pattern is blank", () -> new Fp16Options(Set.of(), List.of(" "), 256, false, false));
        refused("must not be null", () -> new Fp16Options(null, List.of(), 256, false, false));
        assertEquals(Fp16Options.builder().longSoftmaxAxis(64).build().longSoftmaxAxis(),
                new Fp16Options(Set.of(), List.of("blocks.1.*"), 64, false, false).longSoftmaxAxis());
    }

    @Test
    void int8() {
        refused("INT8 profile and calibration method must be set",
                () -> new Int8Options(null, CalibrationMethod.MINMAX, null, List.of(), true, false, 1, 0, false));
        refused("activation type UINT8 for the tensorrt profile, expected INT8",
                () -> new Int8Options(QuantProfile.TENSORRT, CalibrationMethod.MINMAX, QuantType.UINT8, List.of(), true, false, 1, 0, false));
        refused("minimum GEMM size 0", () -> new Int8Options(QuantProfile.ORT_CPU, CalibrationMethod.MINMAX, null, List.of(), true, false, 0, 0,
                false));
        refused("max auto-excluded layers -2", () -> new Int8Options(QuantProfile.ORT_CPU, CalibrationMethod.MINMAX, null, List.of(), true,
                false, 1, -2, false));
        assertEquals(QuantType.UINT8, new Int8Options(QuantProfile.ORT_CPU, CalibrationMethod.MINMAX, null, List.of(), true, false, 1, 0,
                false).activationType(), "the profile's default activation type");
    }

    @Test
    void precision(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Fp16Options f = Fp16Options.defaults();
        Int8Options i = Int8Options.defaults();
        refused("fp16 and int8 options must not be null", () -> new PrecisionOptions(null, i, null, 0, 0.99, 16, 1));
        refused("--calibration " + tmp + " and --calibration-seeded 4 both given", () -> new PrecisionOptions(f, i, tmp, 4, 0.99, 16, 1));
        refused("does not exist or cannot be read", () -> new PrecisionOptions(f, i, tmp.resolve("gone"), 0, 0.99, 16, 1));
        refused("--calibration-seeded -1", () -> new PrecisionOptions(f, i, null, -1, 0.99, 16, 1));
        refused("--min-cosine 2.0", () -> new PrecisionOptions(f, i, null, 0, 2.0, 16, 1));
        refused("validation inputs 0", () -> new PrecisionOptions(f, i, null, 0, 0.99, 0, 1));
        assertEquals(PrecisionOptions.DEFAULT_SEEDED, new PrecisionOptions(f, i, null, 0, 0.99, 16, 1).calibrationSeeded(),
                "neither source given: the default seeded count, as the builder gives");
        assertEquals(PrecisionOptions.defaults(), new PrecisionOptions(f, i, null, 0, PrecisionOptions.DEFAULT_MIN_COSINE,
                PrecisionOptions.DEFAULT_VALIDATION_INPUTS, PrecisionOptions.defaults().seed()));
    }
}
